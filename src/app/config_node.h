#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace stripehook::app {

// A parsed TOML value, free of toml11 types (toml11 is confined to config_toml.cpp). Sections
// that later features own ([processing], [access], [plans.*], [notify.*], [schedule]) are kept in
// this form in Config::deferred_sections and decoded by their owners with TableReader below, so
// every section reports errors the same way.
struct ConfigNode {
  enum class Type { kBoolean, kInteger, kFloat, kString, kDateTime, kArray, kTable };

  Type type = Type::kTable;
  bool boolean = false;
  int64_t integer = 0;
  double floating = 0;
  std::string string;  // kString; also the TOML text of a kDateTime
  std::vector<ConfigNode> array;
  std::map<std::string, ConfigNode> table;  // sorted by key
  int line = 0;                             // 1-based line in the source; 0 when unknown
};

// "a string", "an integer", "a table", ... for messages.
std::string_view TypeName(ConfigNode::Type type);

// Edit distance (Levenshtein with adjacent transpositions) between two keys; used for did-you-mean
// suggestions.
size_t EditDistance(std::string_view a, std::string_view b);

// Decodes the keys of one table into typed fields. Each Read* consumes a key if present (a
// missing key leaves *out unchanged, so defaults live in the struct); Finish() then rejects any
// key that was not consumed, suggesting the closest known key. Errors are kInvalidArgument and
// name the full key: "server.port: expected an integer, got a string (stripehook.toml:3)".
// Not thread-safe; the table must outlive the reader.
class TableReader {
 public:
  // `path` is the key of the table itself ("server", "endpoints[0]", "plans.pro"); `source` is
  // the file name used in locations ("" for none).
  TableReader(const ConfigNode& table, std::string path, std::string source);

  util::Status ReadString(std::string_view key, std::string* out);
  util::Status ReadStringList(std::string_view key, std::vector<std::string>* out);
  util::Status ReadBool(std::string_view key, bool* out);
  // Integers outside [min, max] are rejected with "must be min..max".
  util::Status ReadInt(std::string_view key, int64_t min, int64_t max, int64_t* out);
  util::Status ReadInt(std::string_view key, int64_t min, int64_t max, std::optional<int64_t>* out);
  // Accepts an integer or a float; must be finite and within [min, max].
  util::Status ReadNumber(std::string_view key, double min, double max, double* out);
  // A sub-table or array kept as is (nullptr when absent). Consumes the key.
  const ConfigNode* Take(std::string_view key);

  // The first unconsumed key as "unknown key 'server.prot' (did you mean 'server.port'?)".
  util::Status Finish() const;

  // "<path>.<key>" for messages.
  std::string KeyPath(std::string_view key) const;
  // kInvalidArgument "<KeyPath(key)>: <what> (<source>:<line>)".
  util::Status Error(std::string_view key, const ConfigNode& node, std::string_view what) const;

 private:
  const ConfigNode* Find(std::string_view key);
  util::Status TypeError(std::string_view key, const ConfigNode& node,
                         std::string_view expected) const;

  const ConfigNode& table_;
  std::string path_;
  std::string source_;
  std::vector<std::string> known_;
  std::set<std::string, std::less<>> consumed_;
};

// "(file:line)" suffix for messages about `node`, or "" when the location is unknown.
std::string LocationSuffix(const std::string& source, const ConfigNode& node);

// "unknown key 'P' (did you mean 'Q'?)" where Q is the closest of `known` (prefixed by
// `parent.` when parent is not empty), or without the suggestion when nothing is close.
std::string UnknownKeyMessage(std::string_view parent, std::string_view key,
                              const std::vector<std::string>& known);

}  // namespace stripehook::app
