#pragma once

// The access policy of DESIGN.md §2 as a pure function of billing state and a given `now`.

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/config.h"
#include "billing/state.h"

namespace stripehook::billing {

struct AccessDecision {
  std::string user_id;
  std::optional<std::string> plan;    // configured plan name; nullopt when none/unknown price
  std::optional<std::string> status;  // subscription status; nullopt when there is none
  bool access = false;
  // "active", "trialing", "past_due: in grace period until <t>", "past_due: grace period over",
  // "unpaid", "canceled", "incomplete", "paused", "incomplete_expired", "canceled: period ended",
  // "customer deleted", "revoked: open dispute", "revoked: dispute lost", "revoked: full refund",
  // "purchase", "no subscription".
  std::string reason;
  std::optional<int64_t> grace_until;  // set while past_due (in or after grace)
  std::vector<std::string> features;   // of the plan, only when access is granted
  std::map<std::string, int64_t> limits;
  int64_t as_of = 0;            // the `now` the decision was made for
  std::string subscription_id;  // the subscription the decision rests on, if any
  std::string price;            // its first item's price, if any
  friend bool operator==(const AccessDecision&, const AccessDecision&) = default;
};

// Decides access for `user_id` at `now` (Unix seconds). Never fails: an unknown user gets
// access=false, reason "no subscription". Reads `state` only.
AccessDecision Access(std::string_view user_id, const State& state, int64_t now,
                      const Config& config);

// The application API shape of DESIGN.md §4: {"user_id","plan","status","access","reason",
// "grace_until","features","limits","as_of"} (nulls for absent optionals).
boost::json::object ToJson(const AccessDecision& decision);
// The same answer as JSON text: the bytes boost::json::serialize(ToJson(decision)) gives, written
// directly. GET /v1/access is the hot read path, and building the DOM and serialising it were a
// quarter of its instructions.
std::string AccessJson(const AccessDecision& decision);

}  // namespace stripehook::billing
