// Work over the cores: parallelFor runs every item once and brings an exception back to the
// caller; RunAhead keeps its workers within the window, hands results over in order, rethrows
// an item's exception to the consumer and can be left half-way.
#include "libcommon/core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "libcommon/core/run_ahead.h"

namespace {

TEST(ParallelFor, EveryItemOnce) {
  std::vector<std::atomic<int>> calls(1000);
  pot::parallelFor(calls.size(), 3, [&](size_t i) { ++calls[i]; });
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].load(), 1) << i;
}

TEST(ParallelFor, AnExceptionReachesTheCaller) {
  std::atomic<int> calls{0};
  EXPECT_THROW(pot::parallelFor(100, 3,
                                [&](size_t i) {
                                  ++calls;
                                  if (i == 17) throw std::runtime_error("item 17");
                                }),
               std::runtime_error);
  EXPECT_GE(calls.load(), 1);
}

TEST(RunAhead, InOrderWithinTheWindow) {
  const size_t n = 500, window = 8;
  std::vector<int> results(n, -1);
  std::atomic<size_t> released{0}, beyond{0};
  pot::RunAhead ahead(n, 3, window, [&](size_t i) {
    if (i >= released.load() + window) ++beyond;  // taken outside the window
    results[i] = static_cast<int>(i * 3);
  });
  for (size_t i = 0; i < n; ++i) {
    ahead.waitFor(i);
    EXPECT_EQ(results[i], static_cast<int>(i * 3));
    released = i + 1;
    ahead.release(i + 1);
  }
  EXPECT_EQ(beyond.load(), 0u);
}

TEST(RunAhead, AnItemsExceptionReachesItsConsumer) {
  pot::RunAhead ahead(10, 2, 10, [](size_t i) {
    if (i == 4) throw std::runtime_error("item 4");
  });
  for (size_t i = 0; i < 4; ++i) EXPECT_NO_THROW(ahead.waitFor(i));
  EXPECT_THROW(ahead.waitFor(4), std::runtime_error);
  EXPECT_NO_THROW(ahead.waitFor(5));  // the others still ran
}

TEST(RunAhead, AWaitOutOfReachIsRefusedNotAHang) {
  pot::RunAhead ahead(10, 2, 3, [](size_t) {});
  EXPECT_THROW(ahead.waitFor(3), std::logic_error);  // beyond the window
  ahead.release(8);
  EXPECT_NO_THROW(ahead.waitFor(9));
  EXPECT_THROW(ahead.waitFor(10), std::logic_error);  // beyond the items
}

TEST(RunAhead, LeftHalfWayItStopsAndJoins) {
  std::atomic<size_t> calls{0};
  {
    pot::RunAhead ahead(1000000, 2, 16, [&](size_t) { ++calls; });
    ahead.waitFor(0);
  }  // the destructor must not wait for the other 999 999 items
  EXPECT_LE(calls.load(), 16u);
}

}  // namespace
