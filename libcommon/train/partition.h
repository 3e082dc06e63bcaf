// pot-partition's work: tau and Delta, the per-epoch shuffle, stage batches, S_0 and the signed
// request (DESIGN 4.5).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "libcommon/core/crypto.h"
#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"
#include "libcommon/train/dataset.h"

namespace pot {

struct ChainFigures {
  uint64_t targetSpacing = 60;               // T, seconds
  uint64_t referenceNodeSpeed = 1000000000;  // training FLOP/s of the reference node
  uint64_t blocksSeen24h = 0;                // 0: assume the expected 86400 / T
};

// Delta: samples per stage so a stage takes about T on the reference node,
// scaled by blocks seen / expected (clamped to [1/4, 4]) and rounded to a
// multiple of b, at least b (DESIGN 4.5).
uint64_t samplesPerStage(uint64_t tau, const ChainFigures& chain, uint32_t minibatch);

struct PartitionOptions {
  std::string architecture;            // built-in spec; ignored when module is set
  const Bytes* module = nullptr;       // TorchScript module file
  std::string loss = "cross-entropy";  // or "mse"
  std::string optimizer = "sgd";       // or "adam"
  double learningRate = 0.01;
  double momentum = 0.0, weightDecay = 0.0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  uint32_t minibatch = 32;
  uint32_t epochs = 1;
  uint64_t seed = 0;
  uint32_t declarers = 3;  // C
  uint64_t feePerStage = 0;
  std::string profile = "x86-64-v3";
  ChainFigures chain;
  uint64_t samplesPerStageOverride = 0;  // replaces Delta when non-zero
  uint64_t flopsPerSampleOverride = 0;   // replaces tau when non-zero
  uint64_t createdAt = 0;
  std::string description;
  // Repositories the request names (DESIGN 5.8); none: the field stays null.
  // pot-partition keeps to kMaxRepoEndpoints of at most kMaxRepoEndpointBytes.
  std::vector<std::string> repoEndpoints;
  // Per-channel normalisation recorded in the request (DESIGN 4.6): both
  // empty, or one value per channel (the sample's first dimension).
  std::vector<float> mean, std;
};

// How many repository endpoints a request may name, and how long each may
// be: nodes try them in turn, so an employer cannot make them wait long.
constexpr size_t kMaxRepoEndpoints = 16;
constexpr size_t kMaxRepoEndpointBytes = 256;

struct PartitionResult {
  Hash256 modelId;
  Hash256 requestHash;  // H(request file)
  Hash256 initialState;
  std::vector<Hash256> stageBatches;
  uint64_t tau = 0;
  uint64_t delta = 0;            // Delta as computed (or given), before the dataset's size
  uint64_t samplesPerStage = 0;  // what a full stage batch holds: min(Delta, samplesUsed)
  uint64_t samplesUsed = 0;      // per epoch, after rounding the last stage to b
  uint64_t samplesDropped = 0;   // per epoch: the rows that do not fill a last minibatch
};

// Validates everything first, then writes the repository folder:
// <repo>/objects/<hex> for every object and <repo>/request. On failure no
// file it created is left behind. `progress` gets short notes.
Result<PartitionResult> partitionDataset(const Dataset& data, const PartitionOptions& options,
                                         const SigningKey& employer, const std::string& repoDir,
                                         const std::function<void(const std::string&)>& progress);

// The per-epoch permutation of n samples (Fisher-Yates over SHA-256 of
// "pot/v1/shuffle" || le64(seed) || le32(epoch) || le64(counter)).
std::vector<uint32_t> epochPermutation(uint64_t seed, uint32_t epoch, uint32_t n);

}  // namespace pot
