#include "billing/config.h"

#include <set>

namespace stripehook::billing {
namespace {

util::Status ValidatePlan(const std::string& key, const Plan& plan,
                          std::map<std::string, std::string>& owner_of_price) {
  const std::string prefix = "plans." + key;
  if (key.empty()) return util::InvalidArgumentError("plans: a plan needs a name");
  if (!plan.name.empty() && plan.name != key) {
    return util::InvalidArgumentError(prefix + ".name: must equal the table name '" + key + "'");
  }
  for (const std::string& price : plan.prices) {
    if (price.empty()) return util::InvalidArgumentError(prefix + ".prices: empty price id");
    auto [it, inserted] = owner_of_price.emplace(price, key);
    if (!inserted) {
      return util::InvalidArgumentError(prefix + ".prices: " + price + " is also in plans." +
                                        it->second);
    }
  }
  for (const auto& [limit, value] : plan.limits) {
    if (value < 0)
      return util::InvalidArgumentError(prefix + ".limits." + limit + ": must be >= 0");
  }
  return util::OkStatus();
}

}  // namespace

util::Status Validate(const Config& config) {
  if (config.access.grace_seconds < 0) {
    return util::InvalidArgumentError("access.grace_seconds: must be >= 0");
  }
  std::set<std::string> seen;
  for (const std::string& status : config.access.granting_statuses) {
    if (status.empty()) return util::InvalidArgumentError("access.granting_statuses: empty status");
    if (!seen.insert(status).second) {
      return util::InvalidArgumentError("access.granting_statuses: duplicate " + status);
    }
  }
  if (!(config.platform_fee_rate >= 0 && config.platform_fee_rate <= 1)) {
    return util::InvalidArgumentError("platform_fee_rate: must be in [0, 1]");
  }
  std::map<std::string, std::string> owner_of_price;
  for (const auto& [key, plan] : config.plans) {
    SH_RETURN_IF_ERROR(ValidatePlan(key, plan, owner_of_price));
  }
  return util::OkStatus();
}

std::optional<std::string> PlanNameForPrice(const Config& config, std::string_view price_id) {
  for (const auto& [name, plan] : config.plans) {
    for (const std::string& price : plan.prices) {
      if (price == price_id) return name;
    }
  }
  return std::nullopt;
}

const Plan* PlanByName(const Config& config, std::string_view name) {
  auto it = config.plans.find(std::string(name));
  return it == config.plans.end() ? nullptr : &it->second;
}

}  // namespace stripehook::billing
