// The optimizer step split over the split team's threads (optimizer_step.cpp) gives every value
// the bits of the step on one thread, for each update rule and for sizes around the chunk, under
// this machine's ATen capability (cli.train_threads runs whole stages under each profile's).
// Chunks at multiples of 1024 are a safeguard this build cannot show failing: here a chunking
// at multiples of 1000 gives the same bits too (the scalar and vector paths agree).
#include "libcommon/train/optimizer_step.h"

#include <ATen/Parallel.h>
#include <dirent.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "libcommon/train/split_team.h"

namespace {

struct Parameter {
  std::vector<float> value, grad, buf0, buf1;
};

std::vector<Parameter> parameters() {
  uint32_t x = 11;
  auto rnd = [&x] {
    x = x * 1664525u + 1013904223u;
    return static_cast<float>((x >> 8) & 0xffff) / 32768.0f - 1.0f;
  };
  std::vector<Parameter> ps;
  // One value, a chunk less one, the split threshold, odd sizes above it, a first layer.
  for (int64_t n : {1, 1023, 65536, 65536 + 1024 + 7, 100003, 401408}) {
    Parameter p;
    for (auto* v : {&p.value, &p.grad, &p.buf0, &p.buf1}) {
      v->resize(static_cast<size_t>(n));
      for (float& f : *v) f = rnd();
    }
    for (float& f : p.buf1) f = f * f;  // Adam's second moment is not negative
    ps.push_back(std::move(p));
  }
  return ps;
}

// Three steps of `settings` on `threads` threads; the parameters and buffers afterwards.
std::vector<Parameter> stepped(const pot::OptimizerSettings& settings, bool momentum, int threads) {
  at::set_num_threads(1);  // ATen's own ops on one thread, as a compute profile sets them
  pot::setSplitThreads(threads);
  auto ps = parameters();
  std::vector<pot::ParameterSlot> slots;
  for (size_t i = 0; i < ps.size(); ++i) {
    pot::ParameterSlot s;
    s.value = ps[i].value.data();
    s.grad = i == 2 ? nullptr : ps[i].grad.data();  // one parameter without a gradient
    s.buffers[0] = ps[i].buf0.data();
    s.buffers[1] = ps[i].buf1.data();
    s.count = static_cast<int64_t>(ps[i].value.size());
    slots.push_back(s);
  }
  for (uint64_t step = 1; step <= 3; ++step)
    pot::applyOptimizerStep(settings, momentum, step, slots);
  pot::setSplitThreads(1);
  return ps;
}

bool sameBits(const std::vector<Parameter>& a, const std::vector<Parameter>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    for (auto [x, y] : {std::pair{&a[i].value, &b[i].value}, std::pair{&a[i].buf0, &b[i].buf0},
                        std::pair{&a[i].buf1, &b[i].buf1}})
      if (std::memcmp(x->data(), y->data(), x->size() * sizeof(float)) != 0) return false;
  return true;
}

// The split team's helpers this process has (named "pot-split").
int splitHelpers() {
  int n = 0;
  DIR* dir = ::opendir("/proc/self/task");
  while (dirent* e = dir ? ::readdir(dir) : nullptr) {
    std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
    std::string name;
    if (std::getline(comm, name) && name == "pot-split") ++n;
  }
  if (dir) ::closedir(dir);
  return n;
}

void expectSameOnEveryThreadCount(const pot::OptimizerSettings& settings, bool momentum) {
  auto one = stepped(settings, momentum, 1);
  EXPECT_FALSE(sameBits(one, parameters())) << "the step changed nothing";
  for (int threads : {2, 3})
    EXPECT_TRUE(sameBits(one, stepped(settings, momentum, threads))) << threads << " threads";
}

TEST(OptimizerStepSplit, SgdWithMomentum) {
  pot::OptimizerSettings s;
  s.learningRate = 0.05;
  s.momentum = 0.9;
  expectSameOnEveryThreadCount(s, true);
  // The split really ran on the team's helpers (started on first use).
  EXPECT_EQ(splitHelpers(), 2);
}

TEST(OptimizerStepSplit, PlainSgd) {
  pot::OptimizerSettings s;
  s.learningRate = 0.1;
  expectSameOnEveryThreadCount(s, false);
}

TEST(OptimizerStepSplit, NesterovWithWeightDecay) {
  pot::OptimizerSettings s;
  s.learningRate = 0.01;
  s.momentum = 0.8;
  s.nesterov = true;
  s.weightDecay = 1e-3;
  expectSameOnEveryThreadCount(s, true);
}

TEST(OptimizerStepSplit, AdamWithWeightDecay) {
  pot::OptimizerSettings s;
  s.adam = true;
  s.learningRate = 1e-3;
  s.beta1 = 0.9;
  s.beta2 = 0.999;
  s.eps = 1e-8;
  s.weightDecay = 1e-2;
  expectSameOnEveryThreadCount(s, false);
}

}  // namespace
