// pot-keygen: make an Ed25519 key pair, or show the public key of one.
#include <iostream>

#include "libcommon/core/crypto.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{"Make an Ed25519 key pair for a PoT node, employer or account.", "pot-keygen"};
  std::string out, pubOut, show;
  bool json = false;
  app.add_option("-o,--output", out, "Private key file to create (PKCS#8 PEM, mode 0600)");
  app.add_option("--pub", pubOut, "Also write the public key (SPKI PEM) here");
  app.add_option("--show", show, "Print the public key of an existing private key file")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", json, "Print {\"publicKey\": ..., \"file\": ...} instead of bare hex");
  app.get_formatter()->label("REQUIRED", "");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (out.empty() == show.empty())
      return pot::Status::usage("give exactly one of -o FILE (new key) or --show FILE");
    pot::PublicKey pub;
    std::string file;
    if (!show.empty()) {
      auto key = pot::SigningKey::load(show);
      if (!key) return key.status();
      pub = key->publicKey();
      file = show;
    } else {
      auto key = pot::SigningKey::generate();
      if (!key) return key.status();
      POT_TRY(key->save(out));
      pub = key->publicKey();
      file = out;
    }
    if (!pubOut.empty()) POT_TRY(pot::savePublicKey(pub, pubOut));
    if (json)
      std::cout << pot::JsonWriter()
                       .beginObject()
                       .field("publicKey", pub.hex())
                       .field("file", file)
                       .endObject()
                       .str()
                << "\n";
    else
      std::cout << pub.hex() << "\n";
    return pot::Status::ok();
  });
}
