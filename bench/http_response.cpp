#include "http_response.h"

#include <strings.h>
#include <charconv>

namespace stripehook::bench {
namespace {

bool HeaderIs(std::string_view line, std::string_view name) {
  return line.size() > name.size() && line[name.size()] == ':' &&
         strncasecmp(line.data(), name.data(), name.size()) == 0;
}

std::string_view HeaderValue(std::string_view line, size_t name_size) {
  std::string_view value = line.substr(name_size + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

}  // namespace

ParsedResponse ParseResponse(std::string_view buffer) {
  ParsedResponse out;
  size_t head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return out;
  std::string_view head = buffer.substr(0, head_end + 2);
  out.state = ParsedResponse::State::kError;
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return out;
  if (std::from_chars(head.data() + 9, head.data() + 12, out.status).ec != std::errc()) return out;
  bool has_length = false;
  size_t length = 0;
  for (size_t pos = head.find("\r\n") + 2; pos < head.size();) {
    size_t eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (HeaderIs(line, "content-length")) {
      std::string_view v = HeaderValue(line, 14);
      if (std::from_chars(v.data(), v.data() + v.size(), length).ec != std::errc()) return out;
      has_length = true;
    } else if (HeaderIs(line, "connection")) {
      std::string_view v = HeaderValue(line, 10);
      out.close = v.size() == 5 && strncasecmp(v.data(), "close", 5) == 0;
    }
  }
  bool no_body = out.status == 204 || out.status == 304 || (out.status >= 100 && out.status < 200);
  if (!has_length && !no_body) return out;
  size_t body_start = head_end + 4;
  if (buffer.size() - body_start < length) {
    out.state = ParsedResponse::State::kIncomplete;
    return out;
  }
  out.state = ParsedResponse::State::kComplete;
  out.body = buffer.substr(body_start, length);
  out.total_size = body_start + length;
  return out;
}

}  // namespace stripehook::bench
