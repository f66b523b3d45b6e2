#include "billing/json_read.h"

namespace stripehook::billing::json {

const boost::json::value* Find(const boost::json::object& object, std::string_view path) {
  const boost::json::object* current = &object;
  while (true) {
    size_t dot = path.find('.');
    const boost::json::value* value = current->if_contains(path.substr(0, dot));
    if (value == nullptr || dot == std::string_view::npos) return value;
    current = value->if_object();
    if (current == nullptr) return nullptr;
    path.remove_prefix(dot + 1);
  }
}

std::string String(const boost::json::object& object, std::string_view path) {
  const boost::json::value* value = Find(object, path);
  if (value == nullptr || !value->is_string()) return "";
  return std::string(value->get_string());
}

std::optional<int64_t> OptionalInt(const boost::json::object& object, std::string_view path) {
  const boost::json::value* value = Find(object, path);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= INT64_MAX) {
    return static_cast<int64_t>(value->get_uint64());
  }
  return std::nullopt;
}

int64_t Int(const boost::json::object& object, std::string_view path) {
  return OptionalInt(object, path).value_or(0);
}

bool Bool(const boost::json::object& object, std::string_view path) {
  const boost::json::value* value = Find(object, path);
  return value != nullptr && value->is_bool() && value->get_bool();
}

std::string Ref(const boost::json::object& object, std::string_view path) {
  const boost::json::value* value = Find(object, path);
  if (value == nullptr) return "";
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_object()) return String(value->get_object(), "id");
  return "";
}

const boost::json::object* Object(const boost::json::object& object, std::string_view path) {
  const boost::json::value* value = Find(object, path);
  return value == nullptr ? nullptr : value->if_object();
}

const boost::json::array* Array(const boost::json::object& object, std::string_view path) {
  const boost::json::value* value = Find(object, path);
  return value == nullptr ? nullptr : value->if_array();
}

}  // namespace stripehook::billing::json
