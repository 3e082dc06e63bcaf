# Proof of Training: every message and file format (docs/protocol.md).
#
# Every file and every wire message is one `Envelope` in canonical form
# (capnp::canonicalize) with a standard one-segment stream frame. Signed
# messages hold a `body` and a `signature`; the signing payload is
# `domain tag || canonical encoding of the body` and the message ID is
# SHA-256 of that payload. Unsigned objects (states, batches, genesis, loss
# traces) are named by SHA-256 of their file bytes.
#
# All 32-byte fields are SHA-256 hashes or Ed25519 public keys; addresses are
# 32 bytes (a public key, or an escrow hash for a model).
# New fields go at the end of their struct: ordinals are part of the
# canonical encoding, so changing one changes every ID.
# Empty is null: a List, Data or Text value with nothing in it is a null
# pointer, never a zero-length value (refused as non-canonical; writers get
# it from canonicalBytes). docs/protocol.md, "Encoding".

@0xd3c1a7e25b0f4c88;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("pot::schema");

# ---------------------------------------------------------------- training

enum DType {
  float32 @0;
  float64 @1;
  int64 @2;
  uint8 @3;
  int32 @4;
}

# A named tensor: raw little-endian row-major data (DESIGN 4.3).
struct Tensor {
  name @0 :Text;
  dtype @1 :DType;
  shape @2 :List(UInt64);
  data @3 :Data;
}

# S_i: the parameters and every optimizer buffer, in a fixed order.
struct ModelState {
  architecture @0 :Text;      # the architecture spec it belongs to
  optimizer @1 :Text;         # "sgd" or "adam": which buffers to expect
  stage @2 :UInt32;           # i: stages trained so far (0 for S_0)
  step @3 :UInt64;            # optimizer steps taken so far
  parameters @4 :List(Tensor);
  optimizerState @5 :List(Tensor);
  # The module's own buffers (DESIGN 4.6: BatchNorm running_mean, running_var,
  # num_batches_tracked), in named_buffers() order and names, each in its own
  # dtype (float32 or int64). Null for a model without buffers, so its states
  # keep their bytes; never an empty list.
  buffers @6 :List(Tensor);
}

# B_i: the samples of one stage, in training order.
struct StageBatch {
  stage @0 :UInt32;           # 1-based stage index this batch feeds
  epoch @1 :UInt32;           # 0-based epoch the samples were drawn in
  sampleShape @2 :List(UInt32); # per-sample input shape, e.g. [1, 28, 28]
  inputType @3 :DType;        # uint8 (scaled by 1/255) or float32
  inputs @4 :Data;            # numSamples x prod(sampleShape), row-major LE
  labels @5 :List(UInt32);    # numSamples class labels
  sourceIndices @6 :List(UInt32); # provenance: sample index in the dataset
}

# The per-sample losses of one stage, in order (DESIGN 4.2).
struct LossTrace {
  modelId @0 :Data;
  stage @1 :UInt32;
  losses @2 :List(Float32);
}

struct Architecture {
  union {
    builtin @0 :Text;         # "mlp:784-128-10", "cnn:lenet5"
    torchScript @1 :Data;     # SHA-256 of the TorchScript module file
  }
  inputShape @2 :List(UInt32);
  numClasses @3 :UInt32;
}

enum Loss {
  crossEntropy @0;
  mse @1;                     # against the one-hot label
}

struct Optimizer {
  union {
    sgd @0 :Sgd;
    adam @1 :Adam;
  }
  struct Sgd {
    learningRate @0 :Float64;
    momentum @1 :Float64;
    weightDecay @2 :Float64;
    nesterov @3 :Bool;
  }
  struct Adam {
    learningRate @0 :Float64;
    beta1 @1 :Float64;
    beta2 @2 :Float64;
    eps @3 :Float64;
    weightDecay @4 :Float64;
  }
}

# What makes float results bit-exact across nodes (DESIGN 4.4).
struct ComputeProfile {
  name @0 :Text;              # "portable", "x86-64-v3", ...
  threads @1 :UInt32;         # intra-op threads, fixed
  atenCapability @2 :Text;    # ATEN_CPU_CAPABILITY: "default", "avx2"
  blas @3 :Text;              # "reference" or "openblas"
  blasCoreType @4 :Text;      # OPENBLAS_CORETYPE, null for reference
}

struct TrainingRequest {
  body @0 :Body;
  signature @1 :Data;         # Ed25519 by `employer`, tag pot/v1/request

  struct Body {
    employer @0 :Data;        # Ed25519 public key
    architecture @1 :Architecture;
    loss @2 :Loss;
    optimizer @3 :Optimizer;
    minibatchSize @4 :UInt32; # b >= 2
    seed @5 :UInt64;
    profile @6 :ComputeProfile;
    initialState @7 :Data;    # H(S_0)
    stageBatches @8 :List(Data); # H(B_1) .. H(B_t)
    declarers @9 :UInt32;     # C: declarations per stage
    feePerStage @10 :UInt64;  # base units paid from escrow per stage
    flopsPerSample @11 :UInt64; # tau
    samplesPerStage @12 :UInt32; # Delta
    epochs @13 :UInt32;
    createdAt @14 :UInt64;
    description @15 :Text;
    # DESIGN 4.6; null in requests made before these fields, and null when
    # they would say nothing more (uint8 samples, no normalisation, numeric
    # labels), so such requests keep their bytes and model ids.
    inputTransform @16 :InputTransform;
    classNames @17 :List(Text); # text labels: class id k is classNames[k]; null if numeric
    # DESIGN 5.8: pot-repo endpoints that serve this request's objects, so a
    # node finds them without configuration (its own --repo flags come
    # first); null when none is named, so older requests keep their bytes.
    repoEndpoints @18 :List(Text);
  }
}

# How a raw sample becomes model input (DESIGN 4.6, docs/protocol.md "Input
# transform"): uint8 is divided by 255, float32 is taken as is; then, when
# mean and std are set, channel c (the sample's first dimension) becomes
# (x - mean[c]) / std[c]. mean and std are both null or both hold one value
# per channel.
struct InputTransform {
  inputType @0 :DType;        # uint8 or float32: the batches' inputType
  mean @1 :List(Float32);
  std @2 :List(Float32);
}

# ---------------------------------------------------------------- consensus

struct Coinstake {
  staker @0 :Data;            # public key whose coins are staked
  amount @1 :UInt64;          # base units
}

# Alg. 1: a node's vote that it trained stage `stage` (DESIGN 5.3).
struct TrainingDeclaration {
  body @0 :Body;
  signature @1 :Data;         # tag pot/v1/td

  struct Body {
    modelId @0 :Data;
    stage @1 :UInt32;
    stateHash @2 :Data;       # H(S_stage)
    timestamp @3 :UInt64;
    commitment @4 :Data;      # H(rho || rand)
    rand @5 :Data;            # 32 random bytes
    coinstake @6 :Coinstake;
    pubkey @7 :Data;
    anchor @8 :Data;          # block that recorded the previous stage
  }
}

# Alg. 2 steps 1-2: reveals rho and names exactly C declarations (DESIGN 5.4).
struct BlockHeader {
  body @0 :Body;
  signature @1 :Data;         # tag pot/v1/bh

  struct Body {
    parent @0 :Data;          # parent block ID
    height @1 :UInt64;
    modelId @2 :Data;
    stage @3 :UInt32;
    stateHash @4 :Data;
    rho @5 :Data;             # the training secret, revealed
    declarations @6 :List(Data); # IDs of exactly C declarations
    timestamp @7 :UInt64;
    coinstake @8 :Coinstake;
    pubkey @9 :Data;
    lossTraceHash @10 :Data;  # optional: H(LossTrace file), null if none
  }
}

# Alg. 2 step 4: stakeholder k of K endorses a header (DESIGN 5.5).
struct StakeholderSignature {
  body @0 :Body;
  signature @1 :Data;         # tag pot/v1/stake-sig

  struct Body {
    headerId @0 :Data;
    index @1 :UInt32;         # k in 1..K-1
    pubkey @2 :Data;
  }
}

enum PayoutKind {
  headerBuilder @0;
  wrapper @1;
  stakeholder @2;
  stageFee @3;
  transactionFees @4;
}

struct Payout {
  to @0 :Data;
  amount @1 :UInt64;
  kind @2 :PayoutKind;
}

struct Transaction {
  body @0 :Body;
  signature @1 :Data;         # tag pot/v1/tx

  struct Body {
    sender @0 :Data;          # public key
    nonce @1 :UInt64;         # sender's next nonce
    fee @2 :UInt64;
    union {
      transfer @3 :Transfer;
      registerModel @4 :TrainingRequest;
    }
  }

  struct Transfer {
    to @0 :Data;              # public key or escrow address
    amount @1 :UInt64;
  }
}

# Alg. 2 step 5: stakeholder K wraps the header into a block (DESIGN 5.5).
struct Block {
  body @0 :Body;
  signature @1 :Data;         # tag pot/v1/block, by `wrapper`

  struct Body {
    header @0 :BlockHeader;
    declarations @1 :List(TrainingDeclaration);
    stakeholderSignatures @2 :List(StakeholderSignature);
    transactions @3 :List(Transaction);
    coinbase @4 :List(Payout); # recomputed and compared by validators
    wrapper @5 :Data;          # public key of stakeholder K
  }
}

struct RewardSplit {
  # Parts per 10000 of the block reward; the remainder of integer division
  # goes to the header builder.
  headerBuilder @0 :UInt32;
  wrapper @1 :UInt32;
  stakeholders @2 :UInt32;
}

struct ChainParams {
  chainName @0 :Text;
  declarationBaseTarget @1 :Data; # 32-byte big-endian, per coin-second
  headerBaseTarget @2 :Data;
  stakeholders @3 :UInt32;    # K
  minDeclarers @4 :UInt32;    # bounds on a request's C
  maxDeclarers @5 :UInt32;
  minStakeAge @6 :UInt64;     # seconds
  maxStakeAge @7 :UInt64;
  targetSpacing @8 :UInt64;   # T, seconds
  maxClockDrift @9 :UInt64;   # seconds
  initialBlockReward @10 :UInt64;
  halvingInterval @11 :UInt64; # blocks
  rewardSplit @12 :RewardSplit;
  referenceNodeSpeed @13 :UInt64; # training FLOP/s of the reference node
  dummyModel @14 :TrainingRequest; # trained when no request is active
}

struct Allocation {
  address @0 :Data;
  amount @1 :UInt64;
}

struct Genesis {
  params @0 :ChainParams;
  allocations @1 :List(Allocation);
  timestamp @2 :UInt64;
}

# ---------------------------------------------------------------- framing

# The one type of every PoT file and wire message.
struct Envelope {
  union {
    trainingRequest @0 :TrainingRequest;
    modelState @1 :ModelState;
    stageBatch @2 :StageBatch;
    lossTrace @3 :LossTrace;
    trainingDeclaration @4 :TrainingDeclaration;
    blockHeader @5 :BlockHeader;
    stakeholderSignature @6 :StakeholderSignature;
    block @7 :Block;
    transaction @8 :Transaction;
    genesis @9 :Genesis;
  }
}

# ---------------------------------------------------------------- ledger records
# Not Envelope members: a chain store keeps them as standalone canonical
# messages (libcommon/ledger.h encodeAccount/encodeModel/encodeUndo).

# One account of the ledger (DESIGN 5.1).
struct AccountState {
  balance @0 :UInt64;
  nonce @1 :UInt64;           # next nonce this account must use
  ageSince @2 :UInt64;        # coin age origin, Unix seconds
}

# A registered training request and its stage progress (DESIGN 5.1).
struct ModelProgress {
  modelId @0 :Data;           # messageId(pot/v1/request, request.body)
  escrow @1 :Data;            # H("pot/v1/escrow" || modelId)
  feePerStage @2 :UInt64;
  declarers @3 :UInt32;       # C
  stagesTotal @4 :UInt32;
  lastStage @5 :UInt32;       # 0 until stage 1 is on chain
  lastStateHash @6 :Data;     # H(S_lastStage); H(S_0) at registration
  anchor @7 :Data;            # block that recorded lastStage (or registration)
  registrationHeight @8 :UInt64;
  lastHeight @9 :UInt64;      # height of `anchor`
  isDummy @10 :Bool;          # the genesis fallback model
  request @11 :TrainingRequest;  # null since chain store schema 3 (its own table, `requests`)
}

# What undoes one block: every touched record as it was before (DESIGN 5.7).
struct BlockUndo {
  blockId @0 :Data;
  accounts @1 :List(AccountUndo);
  models @2 :List(ModelUndo);
  totalSupply @3 :UInt64;     # before the block

  struct AccountUndo {
    address @0 :Data;
    existed @1 :Bool;
    previous @2 :AccountState;
  }
  struct ModelUndo {
    modelId @0 :Data;
    existed @1 :Bool;
    previous @2 :ModelProgress;
  }
}
