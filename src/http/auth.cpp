#include "http/auth.h"

namespace stripehook::http {

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

bool RequestHasKey(const Request& request, std::string_view key, bool accept_x_admin_key) {
  if (key.empty()) return false;
  bool match = false;
  if (auto auth = request.Header("authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (auth->substr(0, kBearer.size()) == kBearer) {
      match = ConstantTimeEqual(auth->substr(kBearer.size()), key);
    }
  }
  if (!match && accept_x_admin_key) {
    if (auto header = request.Header("x-admin-key")) match = ConstantTimeEqual(*header, key);
  }
  return match;
}

}  // namespace stripehook::http
