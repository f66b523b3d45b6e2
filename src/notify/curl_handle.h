#pragma once

// libcurl ownership for the notify channels: RAII handles and one-time global initialisation.

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace stripehook::notify {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, SlistDeleter>;

// A new easy handle (null when libcurl cannot allocate one). curl_global_init is not
// thread-safe, so it runs once, before the first handle.
inline CurlHandle NewCurlHandle() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return CurlHandle(curl_easy_init());
}

}  // namespace stripehook::notify
