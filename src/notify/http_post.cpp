#include "notify/http_post.h"

#include <algorithm>

#include "notify/curl_handle.h"

namespace stripehook::notify {
namespace {

constexpr size_t kMaxKeptAnswer = 200;

size_t KeepPrefix(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<std::string*>(user);
  size_t n = size * count;
  if (answer->size() < kMaxKeptAnswer) {
    answer->append(data, std::min(n, kMaxKeptAnswer - answer->size()));
  }
  return n;
}

}  // namespace

util::Status PostJson(const HttpPost& post) {
  CurlHandle curl = NewCurlHandle();
  if (!curl) return util::UnavailableError("curl_easy_init failed");
  curl_slist* raw = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& [name, value] : post.headers) {
    raw = curl_slist_append(raw, (name + ": " + value).c_str());
  }
  CurlList headers(raw);
  std::string answer;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, post.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(post.timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, KeepPrefix);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    return util::UnavailableError(std::string("POST failed: ") + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    return util::UnavailableError("POST answered " + std::to_string(status) + ": " + answer);
  }
  return util::OkStatus();
}

}  // namespace stripehook::notify
