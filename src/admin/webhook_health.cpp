#include "admin/webhook_health.h"

#include <boost/json.hpp>

#include "util/log.h"
#include "util/thread_name.h"

namespace stripehook::admin {
namespace {

constexpr int64_t kHourUs = 3600LL * 1'000'000;

int64_t StatusCount(const std::map<std::string, int64_t>& by_status, const std::string& s) {
  auto it = by_status.find(s);
  return it == by_status.end() ? 0 : it->second;
}

std::string ReportJson(const WebhookHealthReport& r) {
  boost::json::object counts;
  for (const auto& [status, n] : r.by_status) counts[status] = n;
  boost::json::object o{
      {"status", HealthLevelName(r.level)},
      {"window_seconds", r.window_seconds},
      {"received", r.received},
      {"failed", r.failed},
      {"failure_rate", r.failure_rate},
      {"by_status", std::move(counts)},
      {"pending", r.backlog.pending},
      {"dead_total", r.backlog.dead},
      {"signature_failures_last_hour", r.signature_failures_last_hour},
  };
  return boost::json::serialize(o);
}

}  // namespace

std::string_view HealthLevelName(HealthLevel level) {
  switch (level) {
    case HealthLevel::kHealthy:
      return "healthy";
    case HealthLevel::kDegraded:
      return "degraded";
    case HealthLevel::kUnhealthy:
      return "unhealthy";
  }
  return "unknown";
}

WebhookHealth::WebhookHealth(store::Store* store, const util::Clock* clock,
                             WebhookHealthOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      work_(std::make_unique<WorkQueue>(1)) {
  if (options_.metrics != nullptr) {
    alerts_ =
        options_.metrics->Counter("stripehook_alerts_total", "Alerts raised, by alert.", {"alert"});
    level_gauge_ = options_.metrics->Gauge(
        "stripehook_webhook_health_level",
        "Webhook health at the last evaluation: 0 healthy, 1 degraded, 2 unhealthy.");
  }
}

WebhookHealth::~WebhookHealth() {
  Stop();
  work_.reset();  // finishes queued requests while the store is still there
}

int64_t WebhookHealth::SignatureFailuresLastHour(int64_t now_us) {
  if (!options_.signature_failures) return 0;
  int64_t total = options_.signature_failures();
  signature_samples_.emplace_back(now_us, total);
  // Keep the newest sample at least an hour old as the baseline; drop older ones.
  while (signature_samples_.size() > 1 && signature_samples_[1].first <= now_us - kHourUs) {
    signature_samples_.pop_front();
  }
  return total - signature_samples_.front().second;
}

void WebhookHealth::Alert(std::string_view alert, std::string_view message, int64_t value) {
  util::LogError("alert").Str("alert", alert).Str("message", message).Int("value", value);
  if (alerts_ != nullptr) alerts_->Inc({std::string(alert)});
  if (options_.on_alert) options_.on_alert(alert, message);
}

void WebhookHealth::RaiseAlerts(const WebhookHealthReport& r) {
  const bool cluster_alerts = !options_.raises_cluster_alerts || options_.raises_cluster_alerts();
  if (cluster_alerts && last_level_ && r.level > *last_level_) {
    Alert("webhook_health",
          "webhook health dropped from " + std::string(HealthLevelName(*last_level_)) + " to " +
              std::string(HealthLevelName(r.level)),
          static_cast<int64_t>(r.failure_rate * 100));
  }
  last_level_ = r.level;
  if (cluster_alerts && r.backlog.dead > last_dead_.value_or(0)) {
    Alert("dead_events", "events were marked dead (see GET /admin/events?status=dead)",
          r.backlog.dead - last_dead_.value_or(0));
  }
  last_dead_ = r.backlog.dead;
  int64_t limit = options_.signature_failures_per_hour;
  bool over = limit > 0 && r.signature_failures_last_hour > limit;
  if (over && !signature_alerting_) {
    Alert("signature_failures", "signature failures in the last hour over the configured rate",
          r.signature_failures_last_hour);
  }
  signature_alerting_ = over;
  if (level_gauge_ != nullptr) level_gauge_->Set(static_cast<double>(r.level));
}

util::StatusOr<WebhookHealthReport> WebhookHealth::Evaluate() {
  int64_t now_us = clock_->NowUnixMicros();
  WebhookHealthReport r;
  r.window_seconds = options_.window_seconds;
  SH_ASSIGN_OR_RETURN(store::EventWindowStats stats,
                      store_->StatsSince(now_us - options_.window_seconds * 1'000'000));
  SH_ASSIGN_OR_RETURN(r.backlog, store_->Backlog());
  r.received = stats.total;
  r.by_status = stats.by_status;
  r.failed = StatusCount(stats.by_status, "failed") + StatusCount(stats.by_status, "dead");
  r.failure_rate = r.received == 0 ? 0 : static_cast<double>(r.failed) / r.received;
  if (r.failure_rate > options_.unhealthy_above) {
    r.level = HealthLevel::kUnhealthy;
  } else if (r.failure_rate > options_.degraded_above) {
    r.level = HealthLevel::kDegraded;
  }
  std::lock_guard lock(mu_);
  r.signature_failures_last_hour = SignatureFailuresLastHour(now_us);
  RaiseAlerts(r);
  return r;
}

void WebhookHealth::Register(http::Router& router) {
  router.Add("GET", "/webhooks/health", [this](http::Request&&, http::Responder respond) {
    work_->Post([this, respond = std::move(respond)] {
      util::StatusOr<WebhookHealthReport> report = Evaluate();
      if (!report.ok()) {
        return respond(http::Response::Error(503, "unavailable", report.status().message()));
      }
      int status = report->level == HealthLevel::kUnhealthy ? 503 : 200;
      respond(http::Response::Json(status, ReportJson(*report)));
    });
  });
}

void WebhookHealth::Start(std::chrono::milliseconds interval) {
  ticker_ = util::StartNamedThread("health-ticker", [this, interval] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      if (stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) break;
      lock.unlock();
      util::StatusOr<WebhookHealthReport> report = Evaluate();
      if (!report.ok()) {
        util::LogWarn("webhook health check failed").Str("error", report.status().message());
      }
      lock.lock();
    }
  });
}

void WebhookHealth::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace stripehook::admin
