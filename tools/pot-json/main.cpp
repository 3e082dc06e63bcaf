// pot-json: one member of a JSON object as plain text, the one way scripts read the tools' JSON.
#include <iostream>
#include <list>

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
      "get",
      "Print each named member (a.b for member b of object a): strings unquoted, numbers, true or "
      "false");
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
      // "a.b.c": member c of object member b of object member a, for the
      // nested objects pot-inspect writes (a top-level name wins).
      std::optional<std::string> v = doc->scalar(n);
      if (!v && n.find('.') != std::string::npos) {
        std::list<pot::JsonDocument> path;  // each level stays where it is
        const pot::JsonDocument* at = &*doc;
        size_t from = 0, dot;
        while (at && (dot = n.find('.', from)) != std::string::npos) {
          auto o = at->object(std::string_view(n).substr(from, dot - from));
          at = o ? &path.emplace_back(std::move(*o)) : nullptr;
          from = dot + 1;
        }
        if (at) v = at->scalar(std::string_view(n).substr(from));
      }
      if (!v) return pot::Status::invalid("no string, number or boolean member '" + n + "'");
      out += *v + "\n";
    }
    std::cout << out;
    return pot::Status::ok();
  });
}
