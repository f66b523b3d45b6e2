#pragma once

// Non-throwing readers for Stripe objects (internal to billing). A missing key, a null, or a value
// of another kind reads as the empty/zero/nullopt value: Stripe omits or nulls fields freely and
// billing treats both as "not known".

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stripehook::billing::json {

// `path` is dot-separated object keys, e.g. "parent.subscription_details.subscription".
const boost::json::value* Find(const boost::json::object& object, std::string_view path);
std::string String(const boost::json::object& object, std::string_view path);
std::optional<int64_t> OptionalInt(const boost::json::object& object, std::string_view path);
int64_t Int(const boost::json::object& object, std::string_view path);
bool Bool(const boost::json::object& object, std::string_view path);
// An expandable reference: the id string, or the "id" of an expanded object.
std::string Ref(const boost::json::object& object, std::string_view path);
const boost::json::object* Object(const boost::json::object& object, std::string_view path);
const boost::json::array* Array(const boost::json::object& object, std::string_view path);

}  // namespace stripehook::billing::json
