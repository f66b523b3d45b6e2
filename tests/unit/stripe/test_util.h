#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "support/base64.h"

namespace stripehook::stripe::testing {

using stripehook::testing::Base64Decode;

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace stripehook::stripe::testing
