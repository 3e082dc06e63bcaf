// SVG plots: well-formed elements with titles and axis labels, escaping, gaps, empty data, ticks.
#include "libcommon/tool/svg_plot.h"

#include <gtest/gtest.h>

namespace pot::testing {
namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(SvgPlot, ALinePlotHasItsTitleAxesLabelsAndOneDotPerPoint) {
  LinePlot p;
  p.title = "Test accuracy per stage";
  p.xLabel = "stage";
  p.yLabel = "accuracy";
  p.series.push_back({"acc", {{0, 0.1}, {1, 0.5}, {2, 0.75}}});
  const std::string s = svgLinePlot(p);
  EXPECT_EQ(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"300\"", 0),
            0u);
  EXPECT_NE(s.find("<title>Test accuracy per stage</title>"), std::string::npos);
  EXPECT_NE(s.find(">stage</text>"), std::string::npos);
  EXPECT_NE(s.find(">accuracy</text>"), std::string::npos);
  EXPECT_EQ(count(s, "<circle"), 3u);
  EXPECT_EQ(count(s, "<path d=\" M"), 1u);  // one unbroken line
  EXPECT_EQ(s.substr(s.size() - 7), "</svg>\n");
  // Nothing that runs or is fetched.
  EXPECT_EQ(s.find("<script"), std::string::npos);
  EXPECT_EQ(s.find("href"), std::string::npos);
}

TEST(SvgPlot, ANaNIsAGapAndTwoSeriesGetALegend) {
  LinePlot p;
  p.yLabel = "loss";
  p.series.push_back({"train", {{1, 2.0}, {2, NAN}, {3, 1.0}, {4, 0.5}}});
  p.series.push_back({"test", {{1, 2.5}, {4, 0.7}}});
  const std::string s = svgLinePlot(p);
  EXPECT_EQ(count(s, "<circle"), 5u);
  // The first series' line restarts after the gap: two "M" moves in its path.
  const size_t first = s.find("<path d=\"");
  const std::string d = s.substr(first, s.find('"', first + 9) - first);
  EXPECT_EQ(count(d, "M"), 2u) << d;
  EXPECT_NE(s.find(">train</text>"), std::string::npos);
  EXPECT_NE(s.find(">test</text>"), std::string::npos);
}

TEST(SvgPlot, TextIsEscaped) {
  LinePlot p;
  p.title = "a<b & \"c\"";
  p.series.push_back({"<s>", {{0, 1}}});
  const std::string s = svgLinePlot(p);
  EXPECT_NE(s.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_EQ(s.find("<s>"), std::string::npos);
  EXPECT_EQ(xmlEscape("'&'"), "&#39;&amp;&#39;");
}

TEST(SvgPlot, NoDataIsAFrameOfTheSameSize) {
  LinePlot p;
  p.title = "empty";
  p.series.push_back({"x", {{1, NAN}}});
  const std::string s = svgLinePlot(p);
  EXPECT_NE(s.find("no data"), std::string::npos);
  EXPECT_NE(s.find("width=\"480\" height=\"300\""), std::string::npos);
  BarChart c;
  EXPECT_NE(svgBarChart(c).find("no data"), std::string::npos);
}

TEST(SvgPlot, ABarPerAccount) {
  BarChart c;
  c.title = "Rewards";
  c.yLabel = "coins";
  c.bars = {{"node1", 1.5}, {"node2", 0.25}, {"n&3", 3}};
  const std::string s = svgBarChart(c);
  EXPECT_EQ(count(s, "<rect class=\"bar\""), 3u);
  EXPECT_NE(s.find(">n&amp;3</text>"), std::string::npos);
  EXPECT_NE(s.find(">coins</text>"), std::string::npos);
}

TEST(SvgPlot, TicksAreRoundAndCoverTheRange) {
  EXPECT_EQ(niceTicks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  auto t = niceTicks(3, 97, 5);
  ASSERT_FALSE(t.empty());
  EXPECT_LE(t.front(), 3);
  EXPECT_GE(t.back(), 97);
  EXPECT_DOUBLE_EQ(t[1] - t[0], 20);
  auto bars = niceTicks(0, 110, 5);  // the last tick is above the tallest bar
  EXPECT_GE(bars.back(), 110);
  auto flat = niceTicks(2, 2, 5);  // one value: a range around it
  ASSERT_GE(flat.size(), 2u);
  EXPECT_LE(flat.front(), 2);
  EXPECT_GE(flat.back(), 2);
  EXPECT_TRUE(niceTicks(NAN, 1, 5).empty());
}

}  // namespace
}  // namespace pot::testing
