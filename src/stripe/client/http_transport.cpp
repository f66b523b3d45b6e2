#include "stripe/client/http_transport.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string_view>

namespace stripehook::stripe::internal {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) {
    s.remove_suffix(1);
  }
  return s;
}

bool HeaderIs(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<HttpExchange*>(user);
  std::string_view line(data, size * count);
  auto value = [&](std::string_view name) {
    return std::string(Trim(line.substr(name.size() + 1)));
  };
  if (HeaderIs(line, "retry-after")) {
    std::string v = value("retry-after");
    char* end = nullptr;
    double seconds = std::strtod(v.c_str(), &end);
    // An HTTP-date Retry-After is not a number; the backoff schedule applies instead.
    if (end != v.c_str() && *end == '\0' && seconds >= 0) out->retry_after_seconds = seconds;
  } else if (HeaderIs(line, "stripe-should-retry")) {
    out->should_retry = value("stripe-should-retry") == "true";
  } else if (HeaderIs(line, "request-id")) {
    out->request_id = value("request-id");
  }
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::string FormEscape(const std::string& text) {
  InitCurlOnce();
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) return {};
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

HttpExchange PerformHttp(const HttpCall& call) {
  InitCurlOnce();
  HttpExchange out;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    out.transport_error = "curl_easy_init failed";
    return out;
  }
  std::unique_ptr<curl_slist, CurlDeleter> headers;
  for (const std::string& h : call.headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    headers.release();
    headers.reset(next);
  }
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (call.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(call.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(call.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &out);
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    out.transport_error = curl_easy_strerror(code);
    out.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    return out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

}  // namespace stripehook::stripe::internal
