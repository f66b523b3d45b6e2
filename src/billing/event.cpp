#include "billing/event.h"

#include "billing/json_read.h"

namespace stripehook::billing {

namespace {

// Reads the envelope; the snapshot is copied, or moved out of `value` when `steal` is set (the
// parse path owns its value, and the object is most of the payload). The snapshot lives in
// `storage`, which must be `value`'s for the move to be a move.
util::StatusOr<Event> ReadEnvelope(const boost::json::value& value, boost::json::object* steal,
                                   const boost::json::storage_ptr& storage) {
  const boost::json::object* root = value.if_object();
  if (root == nullptr) return util::InvalidArgumentError("event: not a JSON object");
  if (json::String(*root, "object") != "event") {
    return util::InvalidArgumentError("event: \"object\" is not \"event\"");
  }
  Event event(storage);
  event.id = json::String(*root, "id");
  event.type = json::String(*root, "type");
  std::optional<int64_t> created = json::OptionalInt(*root, "created");
  const boost::json::object* object = json::Object(*root, "data.object");
  if (event.id.empty()) return util::InvalidArgumentError("event: missing id");
  if (event.type.empty()) return util::InvalidArgumentError("event " + event.id + ": missing type");
  if (!created) return util::InvalidArgumentError("event " + event.id + ": missing created");
  if (object == nullptr) {
    return util::InvalidArgumentError("event " + event.id + ": missing data.object");
  }
  event.created = *created;
  event.livemode = json::Bool(*root, "livemode");
  event.api_version = json::String(*root, "api_version");
  event.object_type = json::String(*object, "object");
  event.object_id = json::String(*object, "id");
  if (const boost::json::object* previous = json::Object(*root, "data.previous_attributes")) {
    event.previous_attributes.emplace(*previous, storage);
  }
  if (steal != nullptr && steal == object) {
    event.object = std::move(*steal);
  } else {
    event.object = *object;
  }
  return event;
}

}  // namespace

util::StatusOr<Event> EventFromJson(const boost::json::value& value) {
  return ReadEnvelope(value, nullptr, {});
}

util::StatusOr<Event> ParseEvent(std::string_view payload, boost::json::storage_ptr storage) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(payload, error, storage);
  if (error) return util::InvalidArgumentError("event: invalid JSON: " + error.message());
  boost::json::object* object = nullptr;
  if (value.is_object()) {
    if (boost::json::value* data = value.get_object().if_contains("data");
        data && data->is_object()) {
      if (boost::json::value* o = data->get_object().if_contains("object")) object = o->if_object();
    }
  }
  return ReadEnvelope(value, object, storage);
}

}  // namespace stripehook::billing
