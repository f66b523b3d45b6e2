// The one place that calls toml11, which reports errors by throwing: everything it throws is
// caught here and becomes a Status, and its values are copied into ConfigNode so no toml11 type
// leaves this file.

#include <cctype>
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

}  // namespace

util::StatusOr<ConfigNode> ParseToml(const std::string& text, const std::string& source) {
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
