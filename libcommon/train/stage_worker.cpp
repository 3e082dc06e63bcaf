// The stage worker's loop (stage_worker.h): one job a line in, one framed answer out.
#include "libcommon/train/stage_worker.h"

#include <exception>
#include <sstream>

namespace pot {

std::vector<std::string> splitJobLine(const std::string& line) {
  const char sep = line.find('\t') != std::string::npos ? '\t' : ' ';
  std::vector<std::string> words;
  std::string word;
  for (char c : line) {
    if (c == sep) {
      // Tabs separate exactly (an empty word stays one); spaces collapse.
      if (sep == '\t' || !word.empty()) words.push_back(word);
      word.clear();
    } else if (c != '\r') {
      word += c;
    }
  }
  if (!word.empty() || (sep == '\t' && !words.empty())) words.push_back(word);
  return words;
}

void serveJobs(
    std::istream& in, std::ostream& out,
    const std::function<Status(const std::vector<std::string>&, std::ostream&)>& runJob) {
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> words = splitJobLine(line);
    if (words.empty()) continue;
    std::ostringstream report;
    Status status;
    try {
      status = runJob(words, report);
    } catch (const std::bad_alloc&) {
      status = Status::internal("out of memory");
    } catch (const std::exception& e) {
      status = Status::internal(std::string("internal: ") + e.what());
    }
    out << report.str();
    // One line: a message never breaks the framing.
    std::string message = status.message();
    for (char& c : message)
      if (c == '\n' || c == '\r') c = ' ';
    if (!status.isOk()) out << "error " << message << "\n";
    out << "exit " << status.exitCode() << "\n" << std::flush;
  }
}

}  // namespace pot
