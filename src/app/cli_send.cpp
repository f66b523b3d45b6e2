#include <curl/curl.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/cli_commands.h"
#include "stripe/signature.h"
#include "util/clock.h"

namespace stripehook::app {
namespace {

// A JSON event file is sent whole; anything else is read as JSONL, one event per non-blank line.
std::vector<std::string> SplitEvents(const std::string& content) {
  boost::system::error_code ec;
  boost::json::value whole = boost::json::parse(content, ec);
  if (!ec && whole.is_object()) return {content};
  std::vector<std::string> events;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) events.push_back(std::move(line));
    start = end + 1;
  }
  return events;
}

size_t CollectBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// POSTs one signed body; prints "<status> <response body>". Returns the HTTP status, 0 on a
// transport error.
long PostSigned(CURL* curl, const SendOptions& options, const std::string& secret,
                const std::string& body) {
  int64_t now = util::SystemClock::Default().NowUnixSeconds();
  std::string signature = "Stripe-Signature: " + stripe::SignatureHeaderFor(secret, now, body);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
  headers = curl_slist_append(headers, signature.c_str());
  headers = curl_slist_append(headers, "User-Agent: stripehook-send/1.0");
  std::string response;
  curl_easy_setopt(curl, CURLOPT_URL, options.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    std::cout << "error " << curl_easy_strerror(rc) << "\n";
    return 0;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  std::cout << status << " " << response << "\n";
  return status;
}

}  // namespace

int RunSend(const SendOptions& options) {
  std::string secret = options.secret.empty() ? SecretFromEnv() : options.secret;
  if (secret.empty()) {
    std::cerr << "stripehook send: no secret: pass --secret or set STRIPE_WEBHOOK_SECRET\n";
    return 2;
  }
  std::optional<std::string> content = ReadFileBytes(options.file);
  if (!content) return 2;
  std::vector<std::string> events = SplitEvents(*content);
  if (events.empty()) {
    std::cerr << "stripehook send: " << options.file << " holds no event\n";
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  int failures = 0;
  for (const std::string& body : events) {
    long status = PostSigned(curl.get(), options, secret, body);
    if (status < 200 || status >= 300) ++failures;
  }
  std::cerr << "sent " << events.size() << " event(s), " << failures << " failed\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace stripehook::app
