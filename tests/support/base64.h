#pragma once

#include <string>
#include <string_view>

namespace stripehook::testing {

// Standard base64 (RFC 4648, with padding) as the fixtures use; "" on malformed input is fine
// for tests because every fixture is well formed and the vector test checks the decoded size.
inline std::string Base64Decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned bits = 0;
  int nbits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) continue;  // '=' padding
    bits = (bits << 6) | static_cast<unsigned>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<char>((bits >> nbits) & 0xff));
    }
  }
  return out;
}

}  // namespace stripehook::testing
