#pragma once

// The service's scheduled jobs (DESIGN.md "scheduler"), the Stripe client and reconciler they
// use, and their admin routes. Owned by Service; see docs/operations.md "Scheduled jobs".

#include <functional>
#include <memory>
#include <string>

#include "admin/admin_auth.h"
#include "admin/webhook_health.h"
#include "app/config.h"
#include "app/config_schedule.h"
#include "app/leadership.h"
#include "app/scheduler.h"
#include "http/router.h"
#include "pipeline/processor.h"
#include "reconcile/reconciler.h"
#include "store/store.h"
#include "stripe/client/stripe_client.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::app {

// Job names, as shown by GET /admin/jobs and accepted by POST /admin/jobs/{name}/run.
inline constexpr char kRetryJob[] = "retry-due-failures";
inline constexpr char kBackfillJob[] = "backfill";
inline constexpr char kReconcileJob[] = "reconcile";
inline constexpr char kHealthJob[] = "health-check";
inline constexpr char kCleanupJob[] = "cleanup";

// Thread-safe. The store, processor and clock must outlive it; Stop() (or the destructor) before
// they go. Without a Stripe secret key the backfill and reconcile jobs exist but every run is
// "skipped" and says so.
class ServiceJobs {
 public:
  // `stripe_client` may be null (no key): the Stripe jobs are then skipped. `health` (the admin
  // area's webhook health, which raises the alerts) may be null: the health check then logs the
  // store's backlog counts and alerts on failed + dead itself.
  static util::StatusOr<std::unique_ptr<ServiceJobs>> Create(
      const Config& config, store::Store* store, pipeline::Processor* processor,
      std::shared_ptr<stripe::StripeClient> stripe_client, admin::WebhookHealth* health,
      const util::Clock* clock);
  ~ServiceJobs();

  // GET /admin/jobs, POST /admin/jobs/{name}/run, POST /admin/reconcile behind `auth` (both
  // this object and `auth` must outlive the router). The POSTs answer when the run has finished,
  // with its record; 409 `conflict` when that job is running already, 404 for an unknown job.
  void AddRoutes(http::Router& router, admin::AdminAuth& auth);

  // No-op when [schedule] enabled = false. Otherwise the schedule runs while this instance holds
  // the store's "scheduler" leadership (always, on a single-instance store), checked every ~2 s;
  // on-demand runs (AddRoutes) work on every instance.
  void Start();
  void Stop();

  // For admin::StripeUserHooks (GET /admin/users/{id}, POST /admin/users/{id}/fix): the user's
  // Stripe-side view as JSON, and a re-sync that queues repairs. Empty functions without a key.
  std::function<util::StatusOr<std::string>(const std::string&)> StripeViewHook();
  std::function<util::Status(const std::string&)> ResyncHook();

  Scheduler& scheduler() { return *scheduler_; }
  reconcile::Reconciler* reconciler() { return reconciler_.get(); }

 private:
  ServiceJobs() = default;
  util::Status AddJobs();
  util::StatusOr<JobResult> RetryDueFailures();
  util::StatusOr<JobResult> Backfill();
  util::StatusOr<JobResult> Reconcile();
  util::StatusOr<JobResult> HealthCheck();
  util::StatusOr<JobResult> BacklogCheck();
  util::StatusOr<JobResult> Cleanup();

  ScheduleConfig schedule_;
  store::Store* store_ = nullptr;
  pipeline::Processor* processor_ = nullptr;
  const util::Clock* clock_ = nullptr;
  std::shared_ptr<stripe::StripeClient> client_;  // null without a secret key
  admin::WebhookHealth* health_ = nullptr;
  bool alert_findings_ = false;  // [notify.alerts] is set: reconcile findings go to its URL
  std::unique_ptr<reconcile::Reconciler> reconciler_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Leadership> leadership_;  // set by Start()
};

}  // namespace stripehook::app
