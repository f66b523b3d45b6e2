#pragma once

// Internal to src/stripe: the one-pass JSON scan behind ParseEventEnvelope.

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stripehook::stripe::internal {

// The JSON type of a scanned member, as far as the envelope rules care.
enum class JsonKind {
  kAbsent,
  kString,
  kInteger,
  kBigInteger,
  kFloat,
  kBool,
  kNull,
  kObject,
  kArray
};

struct ScannedField {
  JsonKind kind = JsonKind::kAbsent;
  std::string text;      // kString: the unescaped value
  int64_t integer = 0;   // kInteger
  bool boolean = false;  // kBool
};

// The members of an event that the envelope needs; everything else is validated as JSON and
// skipped without building a tree. For duplicate keys the last one wins.
struct EnvelopeScan {
  bool top_is_object = false;
  ScannedField id, object, type, created, livemode, api_version, account, data;
  ScannedField data_object;  // data.object
  ScannedField object_id;    // data.object.id
  ScannedField object_type;  // data.object.object
};

// Scans the whole of `body` (strict JSON, UTF-8 validated, at most `max_depth` levels, no
// trailing data). Returns the parser's error, or a default (success) error_code.
// Never throws except std::bad_alloc.
boost::system::error_code ScanEnvelope(std::string_view body, size_t max_depth, EnvelopeScan& out);

}  // namespace stripehook::stripe::internal
