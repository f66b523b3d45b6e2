#include "app/config_node.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>

namespace stripehook::app {

std::string_view TypeName(ConfigNode::Type type) {
  switch (type) {
    case ConfigNode::Type::kBoolean:
      return "a boolean";
    case ConfigNode::Type::kInteger:
      return "an integer";
    case ConfigNode::Type::kFloat:
      return "a float";
    case ConfigNode::Type::kString:
      return "a string";
    case ConfigNode::Type::kDateTime:
      return "a date-time";
    case ConfigNode::Type::kArray:
      return "an array";
    case ConfigNode::Type::kTable:
      return "a table";
  }
  return "a value";
}

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus adjacent transpositions ("prot" -> "port" is 1).
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string LocationSuffix(const std::string& source, const ConfigNode& node) {
  if (source.empty() || node.line <= 0) return "";
  return " (" + source + ":" + std::to_string(node.line) + ")";
}

std::string UnknownKeyMessage(std::string_view parent, std::string_view key,
                              const std::vector<std::string>& known) {
  std::string prefix = parent.empty() ? "" : std::string(parent) + ".";
  std::string message = "unknown key '" + prefix + std::string(key) + "'";
  // A suggestion is only useful when it is a plausible typo, not any key at all.
  size_t best_distance = std::max<size_t>(1, key.size() / 3) + 1;
  const std::string* best = nullptr;
  for (const std::string& candidate : known) {
    size_t distance = EditDistance(key, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = &candidate;
    }
  }
  if (best != nullptr) message += " (did you mean '" + prefix + *best + "'?)";
  return message;
}

TableReader::TableReader(const ConfigNode& table, std::string path, std::string source)
    : table_(table), path_(std::move(path)), source_(std::move(source)) {}

std::string TableReader::KeyPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

util::Status TableReader::Error(std::string_view key, const ConfigNode& node,
                                std::string_view what) const {
  return util::InvalidArgumentError(KeyPath(key) + ": " + std::string(what) +
                                    LocationSuffix(source_, node));
}

util::Status TableReader::TypeError(std::string_view key, const ConfigNode& node,
                                    std::string_view expected) const {
  return Error(key, node,
               "expected " + std::string(expected) + ", got " + std::string(TypeName(node.type)));
}

const ConfigNode* TableReader::Find(std::string_view key) {
  known_.emplace_back(key);
  auto it = table_.table.find(std::string(key));
  if (it == table_.table.end()) return nullptr;
  consumed_.emplace(key);
  return &it->second;
}

const ConfigNode* TableReader::Take(std::string_view key) { return Find(key); }

util::Status TableReader::ReadString(std::string_view key, std::string* out) {
  const ConfigNode* node = Find(key);
  if (node == nullptr) return util::OkStatus();
  if (node->type != ConfigNode::Type::kString) return TypeError(key, *node, "a string");
  *out = node->string;
  return util::OkStatus();
}

util::Status TableReader::ReadStringList(std::string_view key, std::vector<std::string>* out) {
  const ConfigNode* node = Find(key);
  if (node == nullptr) return util::OkStatus();
  if (node->type != ConfigNode::Type::kArray) return TypeError(key, *node, "an array of strings");
  std::vector<std::string> values;
  for (size_t i = 0; i < node->array.size(); ++i) {
    const ConfigNode& item = node->array[i];
    if (item.type != ConfigNode::Type::kString) {
      return TypeError(std::string(key) + "[" + std::to_string(i) + "]", item, "a string");
    }
    values.push_back(item.string);
  }
  *out = std::move(values);
  return util::OkStatus();
}

util::Status TableReader::ReadBool(std::string_view key, bool* out) {
  const ConfigNode* node = Find(key);
  if (node == nullptr) return util::OkStatus();
  if (node->type != ConfigNode::Type::kBoolean) return TypeError(key, *node, "a boolean");
  *out = node->boolean;
  return util::OkStatus();
}

util::Status TableReader::ReadInt(std::string_view key, int64_t min, int64_t max, int64_t* out) {
  std::optional<int64_t> value;
  SH_RETURN_IF_ERROR(ReadInt(key, min, max, &value));
  if (value.has_value()) *out = *value;
  return util::OkStatus();
}

util::Status TableReader::ReadInt(std::string_view key, int64_t min, int64_t max,
                                  std::optional<int64_t>* out) {
  const ConfigNode* node = Find(key);
  if (node == nullptr) return util::OkStatus();
  if (node->type != ConfigNode::Type::kInteger) return TypeError(key, *node, "an integer");
  if (node->integer < min || node->integer > max) {
    return Error(key, *node,
                 "must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
                     std::to_string(node->integer));
  }
  *out = node->integer;
  return util::OkStatus();
}

util::Status TableReader::ReadNumber(std::string_view key, double min, double max, double* out) {
  const ConfigNode* node = Find(key);
  if (node == nullptr) return util::OkStatus();
  double value;
  if (node->type == ConfigNode::Type::kInteger) {
    value = static_cast<double>(node->integer);
  } else if (node->type == ConfigNode::Type::kFloat) {
    value = node->floating;
  } else {
    return TypeError(key, *node, "a number");
  }
  if (!std::isfinite(value) || value < min || value > max) {
    std::ostringstream range;
    range << "must be " << min << ".." << max;
    return Error(key, *node, range.str());
  }
  *out = value;
  return util::OkStatus();
}

util::Status TableReader::Finish() const {
  for (const auto& [key, node] : table_.table) {
    if (consumed_.count(key) > 0) continue;
    return util::InvalidArgumentError(UnknownKeyMessage(path_, key, known_) +
                                      LocationSuffix(source_, node));
  }
  return util::OkStatus();
}

}  // namespace stripehook::app
