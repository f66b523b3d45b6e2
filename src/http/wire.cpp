#include "http/wire.h"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstdint>

namespace stripehook::http::internal {
namespace {

namespace bhttp = boost::beast::http;

void AppendNumber(std::string& out, uint64_t value) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, result.ptr);
}

// Header text from handlers must not smuggle a line break into the response.
void AppendHeaderSafe(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

}  // namespace

bool SplitTarget(Request& request) {
  std::string_view target = request.target;
  if (target.starts_with("http://") || target.starts_with("https://")) {
    // absolute-form (RFC 9112 §3.2.2): servers must accept it; the authority is ignored.
    size_t authority = target.find("//") + 2;
    size_t slash = target.find('/', authority);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (target.empty() || target.front() != '/') return false;
  size_t question = target.find('?');
  request.path = PercentDecode(target.substr(0, question), /*plus_is_space=*/false);
  if (question != std::string_view::npos) request.query.assign(target.substr(question + 1));
  return true;
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

void SerializeResponseHead(const Response& response, std::string_view request_id, bool close,
                           std::string& out) {
  out.clear();
  out.append("HTTP/1.1 ");
  AppendNumber(out, static_cast<uint64_t>(response.status));
  out.push_back(' ');
  auto reason =
      bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(response.status)));
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  bool no_body = response.status < 200 || response.status == 204 || response.status == 304;
  if (!no_body) {
    out.append("Content-Type: ");
    AppendHeaderSafe(out, response.content_type);
    out.append("\r\nContent-Length: ");
    AppendNumber(out, response.body.size());
    out.append("\r\n");
  }
  out.append("X-Request-Id: ");
  AppendHeaderSafe(out, request_id);
  out.append("\r\n");
  for (const auto& [name, value] : response.headers) {
    AppendHeaderSafe(out, name);
    out.append(": ");
    AppendHeaderSafe(out, value);
    out.append("\r\n");
  }
  if (close) out.append("Connection: close\r\n");
  out.append("\r\n");
}

}  // namespace stripehook::http::internal
