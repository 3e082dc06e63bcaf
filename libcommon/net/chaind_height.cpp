// A pot-chaind's height, asked now and then (see chaind_height.h).
#include "libcommon/net/chaind_height.h"

#include "libcommon/core/fileio.h"
#include "libcommon/core/json_reader.h"
#include "libcommon/net/net.h"

namespace pot::net {

ChaindHeight::ChaindHeight(std::string endpoint, std::string endpointFile,
                           std::chrono::milliseconds refresh, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)),
      endpointFile_(std::move(endpointFile)),
      refresh_(refresh),
      timeout_(timeout) {}

std::optional<uint64_t> ChaindHeight::operator()() {
  const auto now = std::chrono::steady_clock::now();
  if (everAsked_ && now - asked_ < refresh_) return height_;
  everAsked_ = true;
  asked_ = now;
  std::string endpoint = endpoint_;
  if (endpoint.empty() && !endpointFile_.empty()) {
    // Read each time: a restarted pot-chaind announces a new port.
    auto text = readFile(endpointFile_, 4096);
    if (text) endpoint.assign(text->begin(), text->end());
    while (!endpoint.empty() && (endpoint.back() == '\n' || endpoint.back() == ' '))
      endpoint.pop_back();
  }
  height_.reset();
  if (endpoint.empty() || !checkEndpoint(endpoint, false)) return height_;
  auto reply = request(endpoint, {frame("tip")}, static_cast<int>(timeout_.count()), 1 << 16);
  if (!reply || reply->size() != 1) return height_;
  auto doc = JsonDocument::parse(text((*reply)[0]));
  if (doc) height_ = doc->uint("height");
  return height_;
}

}  // namespace pot::net
