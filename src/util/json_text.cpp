#include "util/json_text.h"

#include <array>

namespace stripehook::util {
namespace {

// 0 for a byte written as it is, else the character after the backslash ('u' for \u00xx).
constexpr std::array<char, 256> kEscapes = [] {
  std::array<char, 256> escapes{};
  for (int c = 0; c < 0x20; ++c) escapes[c] = 'u';
  escapes['\b'] = 'b';
  escapes['\f'] = 'f';
  escapes['\n'] = 'n';
  escapes['\r'] = 'r';
  escapes['\t'] = 't';
  escapes['"'] = '"';
  escapes['\\'] = '\\';
  return escapes;
}();

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  // Runs of bytes that need no escape (nearly all of them) are appended whole.
  size_t run_start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    const char escape = kEscapes[c];
    if (escape == 0) continue;
    out.append(value, run_start, i - run_start);
    out += '\\';
    out += escape;
    if (escape == 'u') {
      out += "00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    run_start = i + 1;
  }
  out.append(value, run_start, value.size() - run_start);
  out += '"';
}

}  // namespace stripehook::util
