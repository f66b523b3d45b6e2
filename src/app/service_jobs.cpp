#include "app/service_jobs.h"

#include <boost/json.hpp>

#include <set>
#include <utility>

#include "app/config_notify.h"
#include "billing/retention.h"
#include "notify/alerts.h"
#include "reconcile/backfill.h"
#include "util/log.h"

namespace stripehook::app {
namespace {

constexpr char kNoStripeKey[] = "no Stripe secret key configured (STRIPE_SECRET_KEY)";

JobResult Skipped(std::string why) { return JobResult{true, std::move(why), {}, ""}; }

}  // namespace

util::StatusOr<std::unique_ptr<ServiceJobs>> ServiceJobs::Create(
    const Config& config, store::Store* store, pipeline::Processor* processor,
    std::shared_ptr<stripe::StripeClient> stripe_client, admin::WebhookHealth* health,
    const util::Clock* clock) {
  std::unique_ptr<ServiceJobs> jobs(new ServiceJobs());
  SH_ASSIGN_OR_RETURN(jobs->schedule_, DecodeScheduleConfig(config));
  jobs->store_ = store;
  jobs->processor_ = processor;
  jobs->clock_ = clock;
  jobs->client_ = std::move(stripe_client);
  jobs->health_ = health;
  util::StatusOr<notify::NotifySettings> notify_settings = DecodeNotifyConfig(config);
  jobs->alert_findings_ = notify_settings.ok() && notify_settings->alerts_url.has_value();
  if (jobs->client_) {
    reconcile::ReconcilerOptions options;
    options.on_repairs_queued = [processor] { processor->Notify(); };
    jobs->reconciler_ = std::make_unique<reconcile::Reconciler>(
        store, jobs->client_.get(), [processor](const auto& read) { processor->WithState(read); },
        clock, std::move(options));
  }
  jobs->scheduler_ = std::make_unique<Scheduler>(clock);
  SH_RETURN_IF_ERROR(jobs->AddJobs());
  return jobs;
}

ServiceJobs::~ServiceJobs() { Stop(); }

util::Status ServiceJobs::AddJobs() {
  const std::pair<const char*, std::pair<int64_t, util::StatusOr<JobResult> (ServiceJobs::*)()>>
      jobs[] = {{kRetryJob, {schedule_.retry_failed_seconds, &ServiceJobs::RetryDueFailures}},
                {kBackfillJob, {schedule_.backfill_seconds, &ServiceJobs::Backfill}},
                {kReconcileJob, {schedule_.reconcile_seconds, &ServiceJobs::Reconcile}},
                {kHealthJob, {schedule_.health_check_seconds, &ServiceJobs::HealthCheck}},
                {kCleanupJob, {schedule_.cleanup_seconds, &ServiceJobs::Cleanup}}};
  for (const auto& [name, spec] : jobs) {
    auto method = spec.second;
    SH_RETURN_IF_ERROR(scheduler_->Add(
        {name, std::chrono::seconds(spec.first), [this, method] { return (this->*method)(); }}));
  }
  return util::OkStatus();
}

void ServiceJobs::Start() {
  if (!schedule_.enabled || leadership_) return;
  scheduler_->PauseSchedule(true);
  leadership_ = std::make_unique<Leadership>(
      "scheduler", [store = store_] { return store->HoldLeadership("scheduler"); },
      [scheduler = scheduler_.get()](bool held) { scheduler->PauseSchedule(!held); });
  leadership_->Start();
  scheduler_->Start();
}

void ServiceJobs::Stop() {
  if (leadership_) leadership_->Stop();
  if (scheduler_) scheduler_->Stop();
}

// The pipeline already claims failed events whose retry time has come; this wakes it in case it
// sleeps, and reports how many are due and how many still wait.
util::StatusOr<JobResult> ServiceJobs::RetryDueFailures() {
  store::EventFilter filter;
  filter.status = store::EventStatus::kFailed;
  filter.limit = 1000;
  SH_ASSIGN_OR_RETURN(store::EventPage page, store_->ListEvents(filter));
  int64_t now_us = clock_->NowUnixMicros();
  int64_t due = 0;
  for (const store::StoredEvent& e : page.events) {
    if (e.next_attempt_at_us.value_or(0) <= now_us) ++due;
  }
  if (due > 0) processor_->Notify();
  return JobResult{
      false,
      "",
      {{"failed_due", due}, {"failed_waiting", static_cast<int64_t>(page.events.size()) - due}},
      ""};
}

util::StatusOr<JobResult> ServiceJobs::Backfill() {
  if (!client_) return Skipped(kNoStripeKey);
  SH_ASSIGN_OR_RETURN(reconcile::BackfillReport report,
                      reconcile::RunBackfill(*client_, *store_, *clock_, {}));
  if (report.inserted > 0) processor_->Notify();
  return JobResult{false,
                   report.retention_warning.value_or(""),
                   {{"since", report.since},
                    {"fetched", report.fetched},
                    {"inserted", report.inserted},
                    {"duplicates", report.duplicates},
                    {"invalid", report.invalid}},
                   ""};
}

util::StatusOr<JobResult> ServiceJobs::Reconcile() {
  if (!reconciler_) return Skipped(kNoStripeKey);
  SH_ASSIGN_OR_RETURN(reconcile::ReconcileReport report, reconciler_->Run(/*repair=*/true));
  const reconcile::Comparison& c = report.comparison;
  if (alert_findings_ && !c.findings.empty()) {
    std::string text =
        std::to_string(c.Count(reconcile::FindingKind::kMissing)) + " missing, " +
        std::to_string(c.Count(reconcile::FindingKind::kMismatched)) + " mismatched, " +
        std::to_string(c.Count(reconcile::FindingKind::kOrphaned)) +
        " orphaned; subscription health score " + std::to_string(c.health_score) +
        "; repairs queued " + std::to_string(report.repairs_queued) + " (see GET /admin/jobs)";
    util::Status queued = notify::EnqueueAlert(*store_, *clock_, "reconcile.finding", text);
    if (!queued.ok()) util::LogWarn("alert not queued").Str("error", queued.message());
  }
  return JobResult{false,
                   "",
                   {{"health_score", c.health_score},
                    {"missing", c.Count(reconcile::FindingKind::kMissing)},
                    {"mismatched", c.Count(reconcile::FindingKind::kMismatched)},
                    {"orphaned", c.Count(reconcile::FindingKind::kOrphaned)},
                    {"repairs_queued", report.repairs_queued}},
                   boost::json::serialize(reconcile::ToJson(report))};
}

// The admin area's evaluation decides the level and raises its alerts (webhook_health, dead_events,
// signature_failures); the job records its figures on the schedule.
util::StatusOr<JobResult> ServiceJobs::HealthCheck() {
  if (health_ == nullptr) return BacklogCheck();
  SH_ASSIGN_OR_RETURN(admin::WebhookHealthReport report, health_->Evaluate());
  return JobResult{false,
                   std::string(admin::HealthLevelName(report.level)),
                   {{"received", report.received},
                    {"failed", report.failed},
                    {"failure_rate_pct", static_cast<int64_t>(report.failure_rate * 100)},
                    {"pending", report.backlog.pending},
                    {"dead", report.backlog.dead},
                    {"signature_failures_last_hour", report.signature_failures_last_hour}},
                   ""};
}

util::StatusOr<JobResult> ServiceJobs::BacklogCheck() {
  util::StatusOr<store::InboxBacklog> counted = store_->Backlog();
  if (counted.status().code() == util::StatusCode::kUnimplemented) {
    return Skipped("this store has no backlog counts: " + counted.status().message());
  }
  SH_ASSIGN_OR_RETURN(store::InboxBacklog backlog, std::move(counted));
  int64_t oldest_pending_s = 0;
  if (backlog.oldest_pending_received_us) {
    oldest_pending_s = (clock_->NowUnixMicros() - *backlog.oldest_pending_received_us) / 1'000'000;
  }
  JobResult result{false,
                   "",
                   {{"pending", backlog.pending},
                    {"failed", backlog.failed},
                    {"dead", backlog.dead},
                    {"oldest_pending_age_s", oldest_pending_s},
                    {"outbox_open", backlog.outbox_open}},
                   ""};
  if (backlog.failed + backlog.dead >= schedule_.alert_failed_events) {
    result.message = "alert: failed or dead events need attention";
    util::LogError("alert")
        .Str("check", "events")
        .Int("failed", backlog.failed)
        .Int("dead", backlog.dead);
  }
  return result;
}

util::StatusOr<JobResult> ServiceJobs::Cleanup() {
  int64_t cutoff_us = clock_->NowUnixMicros() - schedule_.retention_days * 86400 * 1'000'000;
  std::set<std::string> keep;
  processor_->WithState(
      [&keep](const billing::State& state) { keep = billing::EventsStateRestsOn(state); });
  util::StatusOr<int64_t> deleted = store_->CleanupEvents(cutoff_us, keep);
  if (deleted.status().code() == util::StatusCode::kUnimplemented) {
    return Skipped("this store has no cleanup: " + deleted.status().message());
  }
  SH_RETURN_IF_ERROR(deleted.status());
  return JobResult{
      false, "", {{"deleted", *deleted}, {"retention_days", schedule_.retention_days}}, ""};
}

std::function<util::StatusOr<std::string>(const std::string&)> ServiceJobs::StripeViewHook() {
  if (!reconciler_) return nullptr;
  return [this](const std::string& user_id) -> util::StatusOr<std::string> {
    SH_ASSIGN_OR_RETURN(reconcile::UserReport report,
                        reconciler_->CheckUser(user_id, /*repair=*/false));
    return boost::json::serialize(reconcile::ToJson(report));
  };
}

std::function<util::Status(const std::string&)> ServiceJobs::ResyncHook() {
  if (!reconciler_) return nullptr;
  return [this](const std::string& user_id) {
    return reconciler_->CheckUser(user_id, /*repair=*/true).status();
  };
}

}  // namespace stripehook::app
