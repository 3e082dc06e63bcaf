// Running a child tool: its stdout, its exit code and error line as our status, no hang.
#include "libcommon/tool/child_tool.h"

#include <gtest/gtest.h>

namespace pot::testing {
namespace {

TEST(ChildTool, StdoutAndStderrAreCaptured) {
  auto r = runTool({"/bin/sh", "-c", "echo out; echo 'x: warning: w' >&2"});
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->exitCode, 0);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "x: warning: w\n");
  EXPECT_TRUE(r->failure());
}

TEST(ChildTool, AFailureKeepsTheChildsCodeAndMessage) {
  auto r = runTool({"/bin/sh", "-c",
                    "echo partial; echo 'note' >&2; echo 'pot-x: error: no such stage' >&2; "
                    "exit 4"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exitCode, 4);
  EXPECT_EQ(r->out, "partial\n");
  Status s = r->failure();
  EXPECT_EQ(s.code(), ExitCode::kIo);
  EXPECT_EQ(s.message(), "no such stage");
  auto invalid = runTool({"/bin/sh", "-c", "echo 'pot-x: invalid: differs' >&2; exit 1"});
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->failure().code(), ExitCode::kInvalid);
  EXPECT_EQ(invalid->failure().message(), "differs");
}

TEST(ChildTool, LargeOutputOnBothPipesDoesNotBlock) {
  auto r = runTool({"/bin/sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out.size(), 300000u);
  EXPECT_EQ(r->err.size(), 300000u);
}

TEST(ChildTool, AToolThatCannotStartIsAnInternalError) {
  auto r = runTool({"/nonexistent/pot-nothing"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ExitCode::kInternal);
  EXPECT_EQ(siblingTool("pot-no-such-tool"), "pot-no-such-tool");
}

}  // namespace
}  // namespace pot::testing
