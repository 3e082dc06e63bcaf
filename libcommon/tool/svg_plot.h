// Plots as self-contained SVG (no scripts, no fonts or anything fetched): line plots of numbered
// points and bar charts, for pot-report's page and its --svg files (DESIGN 7).
#pragma once

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace pot {

struct PlotSeries {
  std::string name;
  // (x, y) in x order; a NaN y is a gap (the line breaks there).
  std::vector<std::pair<double, double>> points;
};

struct LinePlot {
  std::string title, xLabel, yLabel;
  std::vector<PlotSeries> series;
  int width = 480, height = 300;
  // Fixed y range (accuracy is 0..1); NaN: from the data.
  double yMin = NAN, yMax = NAN;
};

struct BarChart {
  std::string title, yLabel;
  std::vector<std::pair<std::string, double>> bars;  // label, value >= 0
  int width = 480, height = 300;
};

// An <svg> element with xmlns, width and height, a title, both axes with
// ticks and their labels, one polyline (and a dot per point) per series and
// a legend when there is more than one series. With no finite point it is a
// frame saying "no data", still the same size.
std::string svgLinePlot(const LinePlot& plot);
std::string svgBarChart(const BarChart& chart);

// Text for XML content and attribute values (& < > " ').
std::string xmlEscape(const std::string& text);

// About `target` round tick values (1, 2 or 5 times a power of ten) from lo to
// hi inclusive; lo == hi gives ticks around it.
std::vector<double> niceTicks(double lo, double hi, int target);

}  // namespace pot
