#pragma once

#include "app/config.h"
#include "notify/settings.h"
#include "util/status.h"

namespace stripehook::app {

// Decodes [notify] (docs/operations.md, "Notifications"):
//   [notify]           batch_size, initial_backoff_seconds, max_backoff_seconds, jitter,
//                      deadline_seconds, poll_interval_ms
//   [[notify.webhooks]] name, url, secret (whsec_...), types = [...], timeout_ms
//   [notify.email]     smtp_url, username, password, require_tls, from, from_name, product,
//                      support_email, operator_email, templates_dir, timeout_ms
//   [notify.redis]     url, key_pattern, timeout_ms
//   [notify.alerts]    url
// Environment: STRIPEHOOK_APP_WEBHOOK_SECRET replaces the secret of every webhook that has none
// in the file. kInvalidArgument naming the key for an unknown key or a bad value. No section:
// nothing is delivered (rows are still written by processing and stay pending).
util::StatusOr<notify::NotifySettings> DecodeNotifyConfig(const Config& config);

}  // namespace stripehook::app
