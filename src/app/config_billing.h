#pragma once

#include <cstdint>
#include <vector>

#include "app/config.h"
#include "billing/config.h"
#include "util/status.h"

namespace stripehook::app {

// [processing]: how the pipeline applies events and retries failures.
struct ProcessingConfig {
  // Delay before each retry of a failed event; the last entry repeats. Default 5, 10, 15 min.
  std::vector<int64_t> backoff_seconds = {300, 600, 900};
  int64_t max_attempts = 4;  // after this many failed attempts the event is `dead`
  int64_t batch_size = 256;  // events claimed and committed together
  int64_t poll_interval_ms = 50;
};

// Decodes [access], [plans.NAME] and the purchase fee (`[processing] platform_fee_rate`) into the
// billing configuration, and validates it. kInvalidArgument naming the key.
util::StatusOr<billing::Config> DecodeBillingConfig(const Config& config);

// Decodes [processing]. kInvalidArgument naming the key.
util::StatusOr<ProcessingConfig> DecodeProcessingConfig(const Config& config);

}  // namespace stripehook::app
