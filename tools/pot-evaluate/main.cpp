// pot-evaluate: test-set accuracy and loss of a model state file (the employer's view of the
// result).
#include <cstdio>
#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/core/message_io.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/dataset.h"
#include "libcommon/train/profile.h"
#include "libcommon/train/train.h"

int main(int argc, char** argv) {
  CLI::App app{"Report the test-set accuracy and mean cross-entropy of a model state.",
               "pot-evaluate"};
  std::string statePath, modulePath, images, labels, csv, profile;
  int labelColumn = -1;
  uint64_t limit = 0;
  bool json = false;
  app.add_option("state", statePath, "State file S_i ('-' for stdin)")->required();
  app.add_option("--module", modulePath,
                 "TorchScript module file, for a torchscript: architecture");
  app.add_option("--images", images, "IDX image file (default: Fashion-MNIST t10k)");
  app.add_option("--labels", labels, "IDX label file (default: Fashion-MNIST t10k)");
  app.add_option("--csv", csv, "CSV test set instead of IDX");
  app.add_option("--label-column", labelColumn, "CSV label column (0-based; -1 = last)")
      ->capture_default_str();
  app.add_option("--limit", limit, "Evaluate only the first N samples (0 = all)");
  app.add_option("--profile", profile, "Run under this compute profile (default: none enforced)");
  app.add_flag("--json", json, "JSON output");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (!csv.empty() && (!images.empty() || !labels.empty()))
      return pot::Status::usage("give either --csv or --images/--labels, not both");
    if (!profile.empty() && statePath == "-") POT_TRY(pot::keepStdinAcrossReexec());
    auto state = pot::readMessage(statePath, pot::schema::Envelope::MODEL_STATE);
    if (!state) return state.status();
    pot::Bytes module;
    if (!modulePath.empty()) {
      auto m = pot::readFile(modulePath, 1ull << 30);
      if (!m) return m.status();
      module = std::move(*m);
    }
    pot::Result<pot::Dataset> data =
        !csv.empty()
            ? pot::loadCsv(csv, labelColumn)
            : pot::loadIdx(
                  images.empty() ? std::string(pot::kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz"
                                 : images,
                  labels.empty() ? std::string(pot::kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz"
                                 : labels);
    if (!data) return data.status();
    pot::truncateDataset(*data, limit);
    // Evaluation is not consensus-critical; a profile only makes it reproducible.
    if (!profile.empty()) POT_TRY(pot::enforceComputeProfile(profile, argc, argv));
    auto ev = pot::evaluateState(**state, modulePath.empty() ? nullptr : &module, *data);
    if (!ev) return ev.status();
    char line[256];
    if (json)
      std::snprintf(line, sizeof line,
                    "{\"samples\": %llu, \"correct\": %llu, \"accuracy\": %.6f, \"loss\": %.6f}\n",
                    static_cast<unsigned long long>(ev->samples),
                    static_cast<unsigned long long>(ev->correct), ev->accuracy, ev->meanLoss);
    else
      std::snprintf(line, sizeof line, "accuracy %.4f (%llu/%llu)\nloss %.4f\n", ev->accuracy,
                    static_cast<unsigned long long>(ev->correct),
                    static_cast<unsigned long long>(ev->samples), ev->meanLoss);
    std::cout << line;
    return pot::Status::ok();
  });
}
