#include "stripe/envelope.h"

#include <boost/json/error.hpp>

#include <exception>
#include <initializer_list>
#include <string>

#include "stripe/envelope_scanner.h"

namespace stripehook::stripe {
namespace {

namespace json = boost::json;

// Stripe events nest a handful of levels (event → data → object → items → data → price …);
// anything deeper is hostile and must fail cleanly rather than exhaust the stack.
constexpr size_t kMaxDepth = 64;

// Appending (rather than `"literal" + std::string`) avoids a GCC 12 -Wrestrict false positive.
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

// A rough check (no overlong/surrogate detection) used only to word an error message.
bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80                 ? 1
                 : c >= 0xc2 && c <= 0xdf ? 2
                 : (c & 0xf0) == 0xe0     ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

util::Status NotJson(std::string_view body, const json::error_code& ec) {
  std::string why = ec.message();
  if (!IsValidUtf8(body)) why = "it is not valid UTF-8";
  if (ec == json::error::too_deep) {
    why = Cat({"nesting deeper than ", std::to_string(kMaxDepth), " levels"});
  }
  if (body.empty()) why = "the body is empty";
  return util::InvalidArgumentError(Cat({"body is not valid JSON: ", why}));
}

// Echoes a value from the body in a message without letting a hostile body make it huge.
std::string Truncated(std::string_view text) {
  constexpr size_t kMax = 40;
  return text.size() <= kMax ? std::string(text) : Cat({text.substr(0, kMax), "..."});
}

util::Status Missing(std::string_view field) {
  return util::InvalidArgumentError(Cat({"missing field '", field, "'"}));
}

util::Status WrongType(std::string_view field, std::string_view what) {
  return util::InvalidArgumentError(Cat({"'", field, "' must be ", what}));
}

using internal::JsonKind;
using internal::ScannedField;

// Reads a required, non-empty string member.
util::Status RequireString(const ScannedField& f, std::string_view name, std::string& out) {
  if (f.kind == JsonKind::kAbsent) return Missing(name);
  if (f.kind != JsonKind::kString) return WrongType(name, "a string");
  if (f.text.empty()) return WrongType(name, "a non-empty string");
  out = f.text;
  return util::OkStatus();
}

// Reads a string member that may be absent or null.
util::Status OptionalString(const ScannedField& f, std::string_view name,
                            std::optional<std::string>& out) {
  if (f.kind == JsonKind::kAbsent || f.kind == JsonKind::kNull) return util::OkStatus();
  if (f.kind != JsonKind::kString) return WrongType(name, "a string or null");
  out = f.text;
  return util::OkStatus();
}

util::Status ReadCreated(const ScannedField& created, EventEnvelope& envelope) {
  if (created.kind == JsonKind::kAbsent) return Missing("created");
  if (created.kind == JsonKind::kBigInteger || created.kind == JsonKind::kFloat) {
    return WrongType("created", "an integer (Unix seconds) that fits in 64 bits");
  }
  if (created.kind != JsonKind::kInteger) return WrongType("created", "an integer");
  if (created.integer < 0) return WrongType("created", "a non-negative integer");
  envelope.created = created.integer;
  return util::OkStatus();
}

util::Status ReadLivemode(const ScannedField& livemode, EventEnvelope& envelope) {
  if (livemode.kind == JsonKind::kAbsent) return util::OkStatus();
  if (livemode.kind != JsonKind::kBool) return WrongType("livemode", "a boolean");
  envelope.livemode = livemode.boolean;
  return util::OkStatus();
}

util::Status ReadDataObject(const internal::EnvelopeScan& scan, EventEnvelope& envelope) {
  if (scan.data.kind == JsonKind::kAbsent) return Missing("data");
  if (scan.data.kind != JsonKind::kObject) return WrongType("data", "an object");
  if (scan.data_object.kind == JsonKind::kAbsent) return Missing("data.object");
  if (scan.data_object.kind != JsonKind::kObject) return WrongType("data.object", "an object");
  std::optional<std::string> id, type;
  SH_RETURN_IF_ERROR(OptionalString(scan.object_id, "data.object.id", id));
  SH_RETURN_IF_ERROR(OptionalString(scan.object_type, "data.object.object", type));
  envelope.object_id = std::move(id).value_or("");
  envelope.object_type = std::move(type).value_or("");
  return util::OkStatus();
}

util::Status CheckObjectIsEvent(const ScannedField& object) {
  if (object.kind == JsonKind::kAbsent) return Missing("object");
  if (object.kind != JsonKind::kString) {
    return util::InvalidArgumentError("'object' must be the string \"event\"");
  }
  if (object.text != "event") {
    return util::InvalidArgumentError(
        Cat({"'object' must be \"event\" (got \"", Truncated(object.text), "\")"}));
  }
  return util::OkStatus();
}

util::StatusOr<EventEnvelope> ToEnvelope(const internal::EnvelopeScan& scan) {
  if (!scan.top_is_object) {
    return util::InvalidArgumentError("body must be a JSON object (a Stripe event)");
  }
  EventEnvelope envelope;
  SH_RETURN_IF_ERROR(CheckObjectIsEvent(scan.object));
  SH_RETURN_IF_ERROR(RequireString(scan.id, "id", envelope.id));
  SH_RETURN_IF_ERROR(RequireString(scan.type, "type", envelope.type));
  SH_RETURN_IF_ERROR(ReadCreated(scan.created, envelope));
  SH_RETURN_IF_ERROR(ReadLivemode(scan.livemode, envelope));
  SH_RETURN_IF_ERROR(OptionalString(scan.api_version, "api_version", envelope.api_version));
  SH_RETURN_IF_ERROR(OptionalString(scan.account, "account", envelope.account));
  SH_RETURN_IF_ERROR(ReadDataObject(scan, envelope));
  return envelope;
}

}  // namespace

util::StatusOr<EventEnvelope> ParseEventEnvelope(std::string_view body) {
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") {
    return util::InvalidArgumentError(
        "body is not valid JSON: it starts with a UTF-8 byte order mark, which Stripe never sends");
  }
  // The scanner can still throw std::bad_alloc; nothing else escapes from here.
  try {
    internal::EnvelopeScan scan;
    json::error_code ec = internal::ScanEnvelope(body, kMaxDepth, scan);
    if (ec) return NotJson(body, ec);
    return ToEnvelope(scan);
  } catch (const std::exception& e) {
    return util::ResourceExhaustedError(Cat({"cannot parse event body: ", e.what()}));
  }
}

}  // namespace stripehook::stripe
