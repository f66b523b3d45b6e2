// libFuzzer target: the one-pass event envelope parser on arbitrary bytes, cross-checked
// against Boost.JSON: whatever the envelope parser accepts must be valid JSON.

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stripe/envelope.h"
#include "util/check.h"
#include "util/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto envelope = stripehook::stripe::ParseEventEnvelope(body);
  if (!envelope.ok()) {
    auto code = envelope.status().code();
    SH_CHECK(code == stripehook::util::StatusCode::kInvalidArgument ||
             code == stripehook::util::StatusCode::kResourceExhausted);
    return 0;
  }
  boost::json::parse_options options;
  options.max_depth = 128;  // the envelope parser stops at 64 levels
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec, {}, options);
  SH_CHECK(!ec);
  SH_CHECK(value.is_object());
  const boost::json::object& object = value.as_object();
  const boost::json::value* id = object.if_contains("id");
  SH_CHECK(id != nullptr && id->is_string() && id->as_string() == envelope->id);
  return 0;
}
