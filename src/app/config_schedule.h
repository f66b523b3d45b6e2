#pragma once

#include <cstdint>

#include "app/config.h"
#include "util/status.h"

namespace stripehook::app {

// [schedule]: how often each scheduler job runs, in seconds; 0 turns a job's schedule off (it can
// still be run on demand through the admin API).
struct ScheduleConfig {
  bool enabled = true;                     // false: no scheduler thread at all
  int64_t retry_failed_seconds = 15 * 60;  // wake the pipeline for failed events now due
  int64_t backfill_seconds = 3600;
  int64_t reconcile_seconds = 6 * 3600;
  int64_t health_check_seconds = 3600;
  int64_t cleanup_seconds = 24 * 3600;
  int64_t retention_days = 30;  // what cleanup keeps
  // Health check alert threshold: failed + dead events at or above it log an error ("alert").
  int64_t alert_failed_events = 1;
};

// Decodes [schedule]; absent keys keep their defaults. kInvalidArgument naming the key, e.g.
// "schedule.reconcile_seconds: must be 0..31536000, got -1 (stripehook.toml:7)".
util::StatusOr<ScheduleConfig> DecodeScheduleConfig(const Config& config);

}  // namespace stripehook::app
