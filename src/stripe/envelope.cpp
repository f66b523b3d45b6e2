#include "stripe/envelope.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <initializer_list>
#include <string>

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

util::Status Missing(std::string_view field) {
  return util::InvalidArgumentError(Cat({"missing field '", field, "'"}));
}

util::Status WrongType(std::string_view field, std::string_view what) {
  return util::InvalidArgumentError(Cat({"'", field, "' must be ", what}));
}

// Reads a required string member.
util::Status RequireString(const json::object& obj, std::string_view key, std::string_view path,
                           std::string& out) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return Missing(path);
  if (!v->is_string()) return WrongType(path, "a string");
  out.assign(v->get_string().data(), v->get_string().size());
  return util::OkStatus();
}

// Reads a string member that may be absent or null.
util::Status OptionalString(const json::object& obj, std::string_view key, std::string_view path,
                            std::optional<std::string>& out) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return util::OkStatus();
  if (!v->is_string()) return WrongType(path, "a string or null");
  out.emplace(v->get_string().data(), v->get_string().size());
  return util::OkStatus();
}

util::Status ReadCreated(const json::object& event, EventEnvelope& envelope) {
  const json::value* created = event.if_contains("created");
  if (created == nullptr) return Missing("created");
  if (created->is_int64()) {
    envelope.created = created->get_int64();
  } else if (created->is_uint64() || created->is_double()) {
    return WrongType("created", "an integer (Unix seconds) that fits in 64 bits");
  } else {
    return WrongType("created", "an integer");
  }
  if (envelope.created < 0) return WrongType("created", "a non-negative integer");
  return util::OkStatus();
}

util::Status ReadLivemode(const json::object& event, EventEnvelope& envelope) {
  const json::value* livemode = event.if_contains("livemode");
  if (livemode == nullptr) return util::OkStatus();
  if (!livemode->is_bool()) return WrongType("livemode", "a boolean");
  envelope.livemode = livemode->get_bool();
  return util::OkStatus();
}

util::Status ReadDataObject(const json::object& event, EventEnvelope& envelope) {
  const json::value* data = event.if_contains("data");
  if (data == nullptr) return Missing("data");
  if (!data->is_object()) return WrongType("data", "an object");
  const json::value* object = data->get_object().if_contains("object");
  if (object == nullptr) return Missing("data.object");
  if (!object->is_object()) return WrongType("data.object", "an object");
  const json::object& obj = object->get_object();
  std::optional<std::string> id, type;
  SH_RETURN_IF_ERROR(OptionalString(obj, "id", "data.object.id", id));
  SH_RETURN_IF_ERROR(OptionalString(obj, "object", "data.object.object", type));
  envelope.object_id = id.value_or("");
  envelope.object_type = type.value_or("");
  return util::OkStatus();
}

util::Status ReadEvent(const json::object& event, EventEnvelope& envelope) {
  const json::value* object = event.if_contains("object");
  if (object == nullptr) return Missing("object");
  if (!object->is_string() || object->get_string() != "event") {
    std::string_view got = object->is_string() ? std::string_view(object->get_string()) : "";
    return util::InvalidArgumentError(object->is_string()
                                          ? Cat({"'object' must be \"event\" (got \"", got, "\")"})
                                          : std::string("'object' must be the string \"event\""));
  }
  SH_RETURN_IF_ERROR(RequireString(event, "id", "id", envelope.id));
  if (envelope.id.empty()) return WrongType("id", "a non-empty string");
  SH_RETURN_IF_ERROR(RequireString(event, "type", "type", envelope.type));
  if (envelope.type.empty()) return WrongType("type", "a non-empty string");
  SH_RETURN_IF_ERROR(ReadCreated(event, envelope));
  SH_RETURN_IF_ERROR(ReadLivemode(event, envelope));
  SH_RETURN_IF_ERROR(OptionalString(event, "api_version", "api_version", envelope.api_version));
  SH_RETURN_IF_ERROR(OptionalString(event, "account", "account", envelope.account));
  return ReadDataObject(event, envelope);
}

util::StatusOr<EventEnvelope> ParseWithBoost(std::string_view body) {
  // Most events fit in this buffer, so parsing usually touches the heap only for the envelope's
  // own strings; larger events spill into heap blocks owned by the resource.
  alignas(std::max_align_t) unsigned char buffer[16 * 1024];
  json::monotonic_resource resource(buffer, sizeof(buffer));
  json::parse_options options;
  options.max_depth = kMaxDepth;
  json::error_code ec;
  json::value root =
      json::parse(json::string_view(body.data(), body.size()), ec, &resource, options);
  if (ec) return NotJson(body, ec);
  if (!root.is_object()) {
    return util::InvalidArgumentError("body must be a JSON object (a Stripe event)");
  }
  EventEnvelope envelope;
  SH_RETURN_IF_ERROR(ReadEvent(root.get_object(), envelope));
  return envelope;
}

}  // namespace

util::StatusOr<EventEnvelope> ParseEventEnvelope(std::string_view body) {
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") {
    return util::InvalidArgumentError(
        "body is not valid JSON: it starts with a UTF-8 byte order mark, which Stripe never sends");
  }
  // Boost.JSON's error_code API can still throw std::bad_alloc; nothing else escapes from here.
  try {
    return ParseWithBoost(body);
  } catch (const std::exception& e) {
    return util::ResourceExhaustedError(Cat({"cannot parse event body: ", e.what()}));
  }
}

}  // namespace stripehook::stripe
