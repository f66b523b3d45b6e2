#pragma once

// Internal to src/http: the byte-level pieces of HTTP/1.1 that need no socket, kept apart from
// the session so they can be tested on their own.

#include <string>
#include <string_view>

#include "http/message.h"

namespace stripehook::http::internal {

// Fills request.path (percent-decoded) and request.query from request.target. Accepts
// origin-form ("/a?b") and absolute-form ("http://host/a?b"); false for anything else.
bool SplitTarget(Request& request);

// A client-supplied X-Request-Id is echoed only if it is 1..128 visible ASCII characters.
bool IsValidRequestId(std::string_view id);

// Writes the status line and headers of `response` into `out` (cleared first): Content-Type and
// Content-Length (omitted for 1xx/204/304), X-Request-Id, the extra headers with CR/LF replaced
// by spaces, and `Connection: close` when `close`.
void SerializeResponseHead(const Response& response, std::string_view request_id, bool close,
                           std::string& out);

}  // namespace stripehook::http::internal
