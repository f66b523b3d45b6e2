#pragma once

// Billing configuration: the access policy of DESIGN.md §2 and the plan catalogue. Parsing the
// TOML file is the app's job; this header gives the types, their defaults and validation.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace stripehook::billing {

struct AccessPolicy {
  // Subscription statuses that grant access.
  std::vector<std::string> granting_statuses = {"active", "trialing"};
  // past_due keeps access until status_since + grace_seconds, inclusive.
  int64_t grace_seconds = 259200;
  bool revoke_on_dispute = true;
  bool revoke_on_full_refund = true;
};

struct Plan {
  std::string name;
  std::vector<std::string> prices;  // Stripe price ids that mean this plan
  std::vector<std::string> features;
  std::map<std::string, int64_t> limits;
};

struct Config {
  AccessPolicy access;
  std::map<std::string, Plan> plans;  // keyed by plan name
  // Share of a one-time purchase kept by the platform, in [0, 1]; the rest is the creator payout.
  double platform_fee_rate = 0;
};

// kInvalidArgument naming the offending key ("plans.pro.prices: price_x is also in plans.team",
// "access.grace_seconds: must be >= 0", "platform_fee_rate: must be in [0, 1]", ...).
util::Status Validate(const Config& config);

// The name (key in `plans`) of the plan whose `prices` name `price_id`, or nullopt (a price no
// plan names still grants access, with plan null).
std::optional<std::string> PlanNameForPrice(const Config& config, std::string_view price_id);
// The plan called `name`, or nullptr.
const Plan* PlanByName(const Config& config, std::string_view name);

}  // namespace stripehook::billing
