#pragma once

#include <cstddef>
#include <string_view>

namespace stripehook::bench {

// The little the load generator needs from an HTTP/1.1 response: status line, Content-Length,
// Connection: close, and where the body is. Responses without Content-Length (chunked, or
// close-delimited) are reported as kError: our server always sends a length.
struct ParsedResponse {
  enum class State { kIncomplete, kComplete, kError };
  State state = State::kIncomplete;
  int status = 0;
  bool close = false;
  size_t total_size = 0;  // head + body, when complete
  std::string_view body;  // points into the parsed buffer, when complete
};

// Parses the first response at the start of `buffer`. Pure.
ParsedResponse ParseResponse(std::string_view buffer);

}  // namespace stripehook::bench
