#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "admin/work_queue.h"
#include "http/router.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/metrics.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::admin {

enum class HealthLevel { kHealthy = 0, kDegraded = 1, kUnhealthy = 2 };
std::string_view HealthLevelName(HealthLevel level);

struct WebhookHealthOptions {
  double degraded_above = 0.10;  // failure rate over the window
  double unhealthy_above = 0.20;
  int64_t window_seconds = 24 * 3600;
  // Alert when more signature failures than this arrive within an hour; 0 = never.
  int64_t signature_failures_per_hour = 100;
  // Signature failures counted by ingest since start (monotonic); may be empty.
  std::function<int64_t()> signature_failures;
  util::MetricsRegistry* metrics = nullptr;  // alert counters and the health gauge; may be null
  // Also called for every alert raised (after the log line), e.g. to queue it for the operator's
  // alert URL (notify::EnqueueAlert). Runs on the evaluating thread; may be empty.
  std::function<void(std::string_view alert, std::string_view message)> on_alert;
  // webhook_health and dead_events describe the shared database, so in a cluster every instance
  // would raise them (and queue them for the alert URL) once each: they are raised only while
  // this returns true (the instance holding the `alerts` leadership). Empty: always. The level
  // and the dead count are tracked meanwhile, so an instance that takes over does not repeat an
  // alert the previous holder raised. signature_failures counts this instance's own rejections
  // and is raised everywhere.
  std::function<bool()> raises_cluster_alerts;
};

struct WebhookHealthReport {
  HealthLevel level = HealthLevel::kHealthy;
  int64_t window_seconds = 0;
  int64_t received = 0;
  int64_t failed = 0;  // failed + dead among the window's events
  double failure_rate = 0;
  std::map<std::string, int64_t> by_status;
  store::InboxBacklog backlog;
  int64_t signature_failures_last_hour = 0;
};

// Webhook health (`GET /webhooks/health`, DESIGN.md §4) and the alerts that go with it.
//
// Evaluate() reads the window's counts and the backlog from the store, decides the level
// (failure rate = (failed + dead) / received; degraded above 10 %, unhealthy above 20 %) and
// raises alerts, each an `alert` error log line plus `stripehook_alerts_total{alert=...}`:
//   webhook_health       the level got worse than at the previous evaluation
//   dead_events          more dead events than at the previous evaluation
//   signature_failures   the last hour's signature failures went over the configured rate
//                        (once per crossing; re-armed when the rate falls back under it)
// Evaluations run on request and every `interval` once Start()ed. Thread-safe; the store and
// clock must outlive it; Stop() (or the destructor) before they go.
class WebhookHealth {
 public:
  WebhookHealth(store::Store* store, const util::Clock* clock, WebhookHealthOptions options);
  ~WebhookHealth();

  util::StatusOr<WebhookHealthReport> Evaluate() EXCLUDES(mu_);

  // GET /webhooks/health: 200 healthy/degraded, 503 unhealthy or store unavailable. No key (load
  // balancers call it); it shows counts only.
  void Register(http::Router& router);

  void Start(std::chrono::milliseconds interval) EXCLUDES(mu_);
  void Stop() EXCLUDES(mu_);

 private:
  void Alert(std::string_view alert, std::string_view message, int64_t value);
  int64_t SignatureFailuresLastHour(int64_t now_us) REQUIRES(mu_);
  void RaiseAlerts(const WebhookHealthReport& report) REQUIRES(mu_);

  store::Store* store_;
  const util::Clock* clock_;
  const WebhookHealthOptions options_;
  util::CounterFamily* alerts_ = nullptr;
  util::GaugeFamily* level_gauge_ = nullptr;

  std::mutex mu_;
  std::optional<HealthLevel> last_level_ GUARDED_BY(mu_);
  std::optional<int64_t> last_dead_ GUARDED_BY(mu_);
  bool signature_alerting_ GUARDED_BY(mu_) = false;
  // (time, cumulative signature failures) samples of the last hour and a bit.
  std::deque<std::pair<int64_t, int64_t>> signature_samples_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::condition_variable stop_cv_;
  std::thread ticker_;
  std::unique_ptr<WorkQueue> work_;
};

}  // namespace stripehook::admin
