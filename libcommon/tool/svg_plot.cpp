// SVG line plots and bar charts, written as text with every label escaped.
#include "libcommon/tool/svg_plot.h"

#include <algorithm>
#include <cstdio>

namespace pot {
namespace {

// Distinguishable on white and in grey print.
const char* const kColors[] = {"#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#495057"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Tick labels: as few digits as tell the ticks apart.
std::string tickLabel(double v, double step) {
  char buf[32];
  int decimals = 0;
  while (decimals < 6 && std::fabs(step * std::pow(10.0, decimals) -
                                   std::round(step * std::pow(10.0, decimals))) > 1e-9)
    ++decimals;
  if (std::fabs(v) < step * 1e-9) v = 0;  // no "-0"
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

struct Frame {
  double left = 64, right = 16, top = 32, bottom = 48;
  int width, height;
  double plotW() const { return width - left - right; }
  double plotH() const { return height - top - bottom; }
};

std::string open(int width, int height, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) +
         " " + std::to_string(height) +
         "\" font-family=\"sans-serif\" font-size=\"11\">\n<title>" + xmlEscape(title) +
         "</title>\n<rect x=\"0\" y=\"0\" width=\"" + std::to_string(width) + "\" height=\"" +
         std::to_string(height) + "\" fill=\"#ffffff\"/>\n<text x=\"" + num(width / 2.0) +
         "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">" +
         xmlEscape(title) + "</text>\n";
}

std::string axisLabels(const Frame& f, const std::string& xLabel, const std::string& yLabel) {
  std::string s;
  if (!xLabel.empty())
    s += "<text class=\"x-label\" x=\"" + num(f.left + f.plotW() / 2) + "\" y=\"" +
         num(f.height - 8.0) + "\" text-anchor=\"middle\">" + xmlEscape(xLabel) + "</text>\n";
  s += "<text class=\"y-label\" x=\"14\" y=\"" + num(f.top + f.plotH() / 2) +
       "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " + num(f.top + f.plotH() / 2) +
       ")\">" + xmlEscape(yLabel) + "</text>\n";
  return s;
}

std::string noData(const Frame& f) {
  return "<rect x=\"" + num(f.left) + "\" y=\"" + num(f.top) + "\" width=\"" + num(f.plotW()) +
         "\" height=\"" + num(f.plotH()) +
         "\" fill=\"none\" stroke=\"#868e96\"/>\n<text x=\"" + num(f.left + f.plotW() / 2) +
         "\" y=\"" + num(f.top + f.plotH() / 2) +
         "\" text-anchor=\"middle\" fill=\"#868e96\">no data</text>\n";
}

}  // namespace

std::string xmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> niceTicks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  target = std::max(target, 2);
  const double raw = (hi - lo) / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * power * (1 + 1e-9)) {
      step = m * power;
      break;
    }
  std::vector<double> ticks;
  // From the last tick at or below lo to the first at or above hi, so the
  // axis covers every point.
  for (double t = std::floor(lo / step + 1e-9) * step; ticks.size() < 100; t += step) {
    ticks.push_back(t);
    if (t >= hi - step * 1e-9) break;
  }
  return ticks;
}

std::string svgLinePlot(const LinePlot& p) {
  Frame f;
  f.width = p.width;
  f.height = p.height;
  std::string s = open(p.width, p.height, p.title);
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const auto& series : p.series)
    for (const auto& [x, y] : series.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      xlo = std::min(xlo, x);
      xhi = std::max(xhi, x);
      ylo = std::min(ylo, y);
      yhi = std::max(yhi, y);
    }
  if (!std::isfinite(xlo)) return s + noData(f) + axisLabels(f, p.xLabel, p.yLabel) + "</svg>\n";
  if (std::isfinite(p.yMin)) ylo = p.yMin;
  if (std::isfinite(p.yMax)) yhi = p.yMax;
  const std::vector<double> xt = niceTicks(xlo, xhi, 6), yt = niceTicks(ylo, yhi, 5);
  xlo = std::min(xlo, xt.front());
  xhi = std::max(xhi, xt.back());
  ylo = std::min(ylo, yt.front());
  yhi = std::max(yhi, yt.back());
  auto X = [&](double x) { return f.left + (x - xlo) / (xhi - xlo) * f.plotW(); };
  auto Y = [&](double y) { return f.top + f.plotH() - (y - ylo) / (yhi - ylo) * f.plotH(); };
  const double xStep = xt.size() > 1 ? xt[1] - xt[0] : 1, yStep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  s += "<g class=\"grid\" stroke=\"#e9ecef\">\n";
  for (double y : yt)
    s += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(Y(y)) + "\" x2=\"" +
         num(f.left + f.plotW()) + "\" y2=\"" + num(Y(y)) + "\"/>\n";
  s += "</g>\n<g class=\"ticks\">\n";
  for (double x : xt)
    s += "<text x=\"" + num(X(x)) + "\" y=\"" + num(f.top + f.plotH() + 14) +
         "\" text-anchor=\"middle\">" + tickLabel(x, xStep) + "</text>\n";
  for (double y : yt)
    s += "<text x=\"" + num(f.left - 4) + "\" y=\"" + num(Y(y) + 4) + "\" text-anchor=\"end\">" +
         tickLabel(y, yStep) + "</text>\n";
  s += "</g>\n<path class=\"axes\" d=\"M" + num(f.left) + " " + num(f.top) + " V" +
       num(f.top + f.plotH()) + " H" + num(f.left + f.plotW()) +
       "\" fill=\"none\" stroke=\"#212529\"/>\n";
  for (size_t i = 0; i < p.series.size(); ++i) {
    const char* color = kColors[i % (sizeof kColors / sizeof kColors[0])];
    std::string line, dots;
    bool pen = false;
    for (const auto& [x, y] : p.series[i].points) {
      if (!std::isfinite(x) || !std::isfinite(y)) {
        pen = false;
        continue;
      }
      line += (pen ? " L" : " M") + num(X(x)) + " " + num(Y(y));
      pen = true;
      dots += "<circle cx=\"" + num(X(x)) + "\" cy=\"" + num(Y(y)) + "\" r=\"2.5\"/>";
    }
    s += "<g class=\"series\" stroke=\"" + std::string(color) + "\" fill=\"" + color +
         "\"><title>" + xmlEscape(p.series[i].name) + "</title>\n<path d=\"" + line +
         "\" fill=\"none\" stroke-width=\"2\"/>\n" + dots + "\n</g>\n";
    if (p.series.size() > 1)
      s += "<text x=\"" + num(f.left + f.plotW() - 4) + "\" y=\"" + num(f.top + 12 + 14.0 * i) +
           "\" text-anchor=\"end\" fill=\"" + color + "\">" + xmlEscape(p.series[i].name) +
           "</text>\n";
  }
  return s + axisLabels(f, p.xLabel, p.yLabel) + "</svg>\n";
}

std::string svgBarChart(const BarChart& c) {
  Frame f;
  f.width = c.width;
  f.height = c.height;
  std::string s = open(c.width, c.height, c.title);
  double hi = 0;
  for (const auto& [label, v] : c.bars)
    if (std::isfinite(v)) hi = std::max(hi, v);
  if (c.bars.empty() || hi <= 0) return s + noData(f) + axisLabels(f, "", c.yLabel) + "</svg>\n";
  const std::vector<double> yt = niceTicks(0, hi, 5);
  hi = std::max(hi, yt.back());
  auto Y = [&](double y) { return f.top + f.plotH() - y / hi * f.plotH(); };
  const double yStep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  s += "<g class=\"ticks\">\n";
  for (double y : yt)
    s += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(Y(y)) + "\" x2=\"" +
         num(f.left + f.plotW()) + "\" y2=\"" + num(Y(y)) + "\" stroke=\"#e9ecef\"/><text x=\"" +
         num(f.left - 4) + "\" y=\"" + num(Y(y) + 4) + "\" text-anchor=\"end\">" +
         tickLabel(y, yStep) + "</text>\n";
  s += "</g>\n";
  const double slot = f.plotW() / static_cast<double>(c.bars.size());
  for (size_t i = 0; i < c.bars.size(); ++i) {
    const double v = std::isfinite(c.bars[i].second) ? c.bars[i].second : 0;
    const double x = f.left + slot * static_cast<double>(i);
    s += "<rect class=\"bar\" x=\"" + num(x + slot * 0.15) + "\" y=\"" + num(Y(v)) +
         "\" width=\"" + num(slot * 0.7) + "\" height=\"" + num(Y(0) - Y(v)) + "\" fill=\"" +
         kColors[0] + "\"><title>" + xmlEscape(c.bars[i].first) + ": " + tickLabel(v, yStep) +
         "</title></rect>\n<text x=\"" + num(x + slot / 2) + "\" y=\"" +
         num(f.top + f.plotH() + 14) + "\" text-anchor=\"middle\">" + xmlEscape(c.bars[i].first) +
         "</text>\n";
  }
  s += "<path class=\"axes\" d=\"M" + num(f.left) + " " + num(f.top) + " V" +
       num(f.top + f.plotH()) + " H" + num(f.left + f.plotW()) +
       "\" fill=\"none\" stroke=\"#212529\"/>\n";
  return s + axisLabels(f, "", c.yLabel) + "</svg>\n";
}

}  // namespace pot
