// pot-json: one member of a JSON object as plain text, the one way scripts read the tools' JSON.
#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/core/json_reader.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Read JSON that a tool wrote: print members of one JSON object as plain text, one per "
      "line.",
      "pot-json"};
  app.require_subcommand(1);
  std::vector<std::string> names;
  std::string input = "-";
  auto* get = app.add_subcommand(
      "get", "Print each named top-level member: strings unquoted, numbers, true or false");
  get->add_option("names", names, "Member names, in the order to print")->required();
  get->add_option("-i,--input", input, "The JSON file ('-' for standard input)")
      ->capture_default_str();
  // For the shell tools (pot-node, pot-devnet): the same "did you mean"
  // every C++ tool gives, from one implementation (nearestName).
  std::string typed;
  std::vector<std::string> candidates;
  auto* nearest = app.add_subcommand(
      "nearest", "Print the candidate closest to a mistyped WORD (exit 1 when none is close)");
  nearest->add_option("word", typed, "The mistyped word")->required();
  nearest->add_option("candidates", candidates, "The names it may have meant")->required();
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (nearest->parsed()) {
      auto near = pot::nearestName(typed, candidates);
      if (!near) return pot::Status::invalid("nothing close to '" + typed + "'");
      std::cout << *near << "\n";
      return pot::Status::ok();
    }
    auto text = pot::readFile(input, 64ull << 20);
    if (!text) return text.status();
    auto doc = pot::JsonDocument::parse(std::string(text->begin(), text->end()));
    if (!doc) return doc.status().withContext(input == "-" ? "standard input" : "'" + input + "'");
    std::string out;
    for (const auto& n : names) {
      auto v = doc->scalar(n);
      if (!v) return pot::Status::invalid("no string, number or boolean member '" + n + "'");
      out += *v + "\n";
    }
    std::cout << out;
    return pot::Status::ok();
  });
}
