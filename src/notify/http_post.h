#pragma once

// One HTTP POST over libcurl, for app webhooks and operator alerts. Thread-safe (each call uses
// its own curl handle); libcurl's global state is initialised once, on first use.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace stripehook::notify {

struct HttpPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type is always JSON
  std::string body;
  int64_t timeout_ms = 10'000;  // whole request, connect included
};

// OK for a 2xx answer. kUnavailable for a transport error (refused, timeout, TLS) or any other
// status, with the status and the first bytes of the answer in the message.
util::Status PostJson(const HttpPost& post);

}  // namespace stripehook::notify
