// The one place that calls toml11, which reports errors by throwing: everything it throws is
// caught here and becomes a Status, and its values are copied into ConfigNode so no toml11 type
// leaves this file.

#include <cctype>
#include <cstdint>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>
#include <toml.hpp>

#include "app/config_internal.h"

namespace stripehook::app::internal {
namespace {

ConfigNode Convert(const toml::value& value) {
  ConfigNode node;
  node.line = static_cast<int>(value.location().line());
  switch (value.type()) {
    case toml::value_t::boolean:
      node.type = ConfigNode::Type::kBoolean;
      node.boolean = value.as_boolean();
      break;
    case toml::value_t::integer:
      node.type = ConfigNode::Type::kInteger;
      node.integer = value.as_integer();
      break;
    case toml::value_t::floating:
      node.type = ConfigNode::Type::kFloat;
      node.floating = value.as_floating();
      break;
    case toml::value_t::string:
      node.type = ConfigNode::Type::kString;
      node.string = value.as_string().str;
      break;
    case toml::value_t::array:
      node.type = ConfigNode::Type::kArray;
      for (const toml::value& item : value.as_array()) node.array.push_back(Convert(item));
      break;
    case toml::value_t::table:
      node.type = ConfigNode::Type::kTable;
      for (const auto& [key, item] : value.as_table()) node.table.emplace(key, Convert(item));
      break;
    default:  // the four date and time types, kept as their TOML text
      node.type = ConfigNode::Type::kDateTime;
      node.string = toml::format(value);
      break;
  }
  return node;
}

bool IsTokenChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// toml11 quotes the offending line, which may hold a secret: mask whsec_/sk_/rk_ tokens in it.
std::string MaskSecrets(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    bool token_start = i == 0 || !IsTokenChar(text[i - 1]);
    std::string_view rest = std::string_view(text).substr(i);
    if (token_start &&
        (rest.starts_with("whsec_") || rest.starts_with("sk_") || rest.starts_with("rk_"))) {
      size_t end = i;
      while (end < text.size() && IsTokenChar(text[end])) ++end;
      out += RedactSecret(text.substr(i, end - i));
      i = end;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// toml11's messages end in newlines and start with "[error] "; keep the useful middle.
std::string Tidy(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const std::string tag = "[error] ";
  if (message.rfind(tag, 0) == 0) message.erase(0, tag.size());
  return MaskSecrets(message);
}

// The offset of the first byte that is not part of well-formed UTF-8, or npos. TOML files must
// be UTF-8, and toml11 3.7 reads past its buffer on some invalid sequences inside a literal
// string (found by fuzz_config: `'s\234e'\377\204s`), so such text never reaches it.
size_t FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80           ? 1
                    : (lead >> 5) == 0x6  ? 2
                    : (lead >> 4) == 0xE  ? 3
                    : (lead >> 3) == 0x1E ? 4
                                          : 0;
    if (length == 0 || i + length > text.size()) return i;
    uint32_t code = length == 1 ? lead : lead & (0xFF >> (length + 1));
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code = (code << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += length;
  }
  return std::string_view::npos;
}

}  // namespace

util::StatusOr<ConfigNode> ParseToml(const std::string& text, const std::string& source) {
  if (size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    return util::InvalidArgumentError(source + ": not valid UTF-8 at byte " + std::to_string(bad) +
                                      " (TOML files are UTF-8)");
  }
  try {
    std::istringstream stream(text);
    toml::value root = toml::parse(stream, source);
    ConfigNode node = Convert(root);
    node.line = 0;  // the root table has no line of its own
    return node;
  } catch (const std::exception& e) {
    return util::InvalidArgumentError(source + ": TOML syntax error: " + Tidy(e.what()));
  } catch (...) {
    return util::InvalidArgumentError(source + ": TOML syntax error");
  }
}

}  // namespace stripehook::app::internal
