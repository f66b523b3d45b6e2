#include "app/config_schedule.h"

#include "app/config_node.h"

namespace stripehook::app {

util::StatusOr<ScheduleConfig> DecodeScheduleConfig(const Config& config) {
  ScheduleConfig schedule;
  auto it = config.deferred_sections.find("schedule");
  if (it == config.deferred_sections.end()) return schedule;
  constexpr int64_t kYear = 365 * 24 * 3600;
  TableReader r(it->second, "schedule", config.source);
  SH_RETURN_IF_ERROR(r.ReadBool("enabled", &schedule.enabled));
  SH_RETURN_IF_ERROR(r.ReadInt("retry_failed_seconds", 0, kYear, &schedule.retry_failed_seconds));
  SH_RETURN_IF_ERROR(r.ReadInt("backfill_seconds", 0, kYear, &schedule.backfill_seconds));
  SH_RETURN_IF_ERROR(r.ReadInt("reconcile_seconds", 0, kYear, &schedule.reconcile_seconds));
  SH_RETURN_IF_ERROR(r.ReadInt("health_check_seconds", 0, kYear, &schedule.health_check_seconds));
  SH_RETURN_IF_ERROR(r.ReadInt("cleanup_seconds", 0, kYear, &schedule.cleanup_seconds));
  SH_RETURN_IF_ERROR(r.ReadInt("retention_days", 1, 3650, &schedule.retention_days));
  SH_RETURN_IF_ERROR(
      r.ReadInt("alert_failed_events", 1, 1'000'000'000, &schedule.alert_failed_events));
  SH_RETURN_IF_ERROR(r.Finish());
  return schedule;
}

}  // namespace stripehook::app
