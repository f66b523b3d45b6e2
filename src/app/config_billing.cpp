#include "app/config_billing.h"

#include <limits>

#include "app/config_node.h"

namespace stripehook::app {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

const ConfigNode* Section(const Config& config, const char* name) {
  auto it = config.deferred_sections.find(name);
  return it == config.deferred_sections.end() ? nullptr : &it->second;
}

util::Status DecodeAccess(const ConfigNode& node, const std::string& source,
                          billing::AccessPolicy* access) {
  TableReader r(node, "access", source);
  SH_RETURN_IF_ERROR(r.ReadStringList("granting_statuses", &access->granting_statuses));
  SH_RETURN_IF_ERROR(r.ReadInt("grace_seconds", 0, kMaxInt, &access->grace_seconds));
  SH_RETURN_IF_ERROR(r.ReadBool("revoke_on_dispute", &access->revoke_on_dispute));
  SH_RETURN_IF_ERROR(r.ReadBool("revoke_on_full_refund", &access->revoke_on_full_refund));
  return r.Finish();
}

util::Status DecodeLimits(TableReader& plan_reader, const std::string& path,
                          const std::string& source, billing::Plan* plan) {
  const ConfigNode* limits = plan_reader.Take("limits");
  if (limits == nullptr) return util::OkStatus();
  if (limits->type != ConfigNode::Type::kTable) {
    return plan_reader.Error("limits", *limits, "expected a table such as { seats = 5 }");
  }
  TableReader r(*limits, path + ".limits", source);
  for (const auto& [key, value] : limits->table) {
    int64_t limit = 0;
    SH_RETURN_IF_ERROR(r.ReadInt(key, std::numeric_limits<int64_t>::min(), kMaxInt, &limit));
    plan->limits[key] = limit;
  }
  return r.Finish();
}

util::Status DecodePlans(const ConfigNode& node, const std::string& source,
                         std::map<std::string, billing::Plan>* plans) {
  TableReader top(node, "plans", source);
  for (const auto& [name, plan_node] : node.table) {
    const ConfigNode* table = top.Take(name);
    std::string path = "plans." + name;
    if (table->type != ConfigNode::Type::kTable) {
      return top.Error(name, *table, "expected a table [plans." + name + "]");
    }
    billing::Plan plan;
    plan.name = name;
    TableReader r(*table, path, source);
    SH_RETURN_IF_ERROR(r.ReadStringList("prices", &plan.prices));
    SH_RETURN_IF_ERROR(r.ReadStringList("features", &plan.features));
    SH_RETURN_IF_ERROR(DecodeLimits(r, path, source, &plan));
    SH_RETURN_IF_ERROR(r.Finish());
    if (plan.prices.empty()) {
      return util::InvalidArgumentError(path + ".prices: at least one price id is required");
    }
    (*plans)[name] = std::move(plan);
  }
  return top.Finish();
}

}  // namespace

util::StatusOr<billing::Config> DecodeBillingConfig(const Config& config) {
  billing::Config billing;
  if (const ConfigNode* access = Section(config, "access")) {
    SH_RETURN_IF_ERROR(DecodeAccess(*access, config.source, &billing.access));
  }
  if (const ConfigNode* plans = Section(config, "plans")) {
    SH_RETURN_IF_ERROR(DecodePlans(*plans, config.source, &billing.plans));
  }
  if (const ConfigNode* processing = Section(config, "processing")) {
    auto it = processing->table.find("platform_fee_rate");
    if (it != processing->table.end()) {
      TableReader r(*processing, "processing", config.source);
      SH_RETURN_IF_ERROR(r.ReadNumber("platform_fee_rate", 0, 1, &billing.platform_fee_rate));
    }
  }
  SH_RETURN_IF_ERROR(billing::Validate(billing));
  return billing;
}

util::StatusOr<ProcessingConfig> DecodeProcessingConfig(const Config& config) {
  ProcessingConfig processing;
  const ConfigNode* node = Section(config, "processing");
  if (node == nullptr) return processing;
  TableReader r(*node, "processing", config.source);
  double ignored_fee = 0;
  SH_RETURN_IF_ERROR(r.ReadNumber("platform_fee_rate", 0, 1, &ignored_fee));  // billing's
  SH_RETURN_IF_ERROR(r.ReadInt("max_attempts", 1, 1000, &processing.max_attempts));
  SH_RETURN_IF_ERROR(r.ReadInt("batch_size", 1, 10000, &processing.batch_size));
  SH_RETURN_IF_ERROR(r.ReadInt("poll_interval_ms", 1, 60'000, &processing.poll_interval_ms));
  if (const ConfigNode* backoff = r.Take("backoff_seconds")) {
    if (backoff->type != ConfigNode::Type::kArray || backoff->array.empty()) {
      return r.Error("backoff_seconds", *backoff, "expected a non-empty array of seconds");
    }
    processing.backoff_seconds.clear();
    for (const ConfigNode& item : backoff->array) {
      if (item.type != ConfigNode::Type::kInteger || item.integer < 0) {
        return r.Error("backoff_seconds", item, "every entry must be an integer >= 0");
      }
      processing.backoff_seconds.push_back(item.integer);
    }
  }
  SH_RETURN_IF_ERROR(r.Finish());
  return processing;
}

}  // namespace stripehook::app
