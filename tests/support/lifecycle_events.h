#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "store/event.h"

namespace stripehook::testing {

// A line of tests/fixtures/lifecycles/*.jsonl (a Stripe event) as the inbox row ingest would
// store for it; received_at_us 0 lets the store stamp it.
inline store::NewEvent LifecycleEvent(const std::string& line, int64_t received_at_us = 0) {
  boost::json::object o = boost::json::parse(line).as_object();
  const boost::json::object& object = o.at("data").as_object().at("object").as_object();
  store::NewEvent e;
  e.id = std::string(o.at("id").as_string());
  e.type = std::string(o.at("type").as_string());
  e.created = o.at("created").as_int64();
  e.object_id = object.contains("id") ? std::string(object.at("id").as_string()) : "";
  e.object_type = std::string(object.at("object").as_string());
  e.payload = line;
  e.received_at_us = received_at_us;
  return e;
}

}  // namespace stripehook::testing
