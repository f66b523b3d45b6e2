// The service's admin wiring: admin key check, admin API, webhook health and alerts, /metrics.
#include <boost/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "admin/service_metrics.h"
#include "app/config_notify.h"
#include "app/service.h"
#include "app/service_jobs.h"
#include "notify/alerts.h"
#include "util/log.h"
#include "util/metrics.h"

namespace stripehook::app {
namespace {

std::vector<util::Sample> WebhookOutcomes(const ingest::IngestCounters& c) {
  auto sample = [](std::string outcome, std::string reason, const std::atomic<int64_t>& n) {
    return util::Sample{{std::move(outcome), std::move(reason)}, static_cast<double>(n.load())};
  };
  return {sample("accepted", "", c.accepted),
          sample("duplicate", "", c.duplicate),
          sample("rejected", "signature", c.rejected_signature),
          sample("rejected", "invalid_payload", c.rejected_payload),
          sample("rejected", "rate_limited", c.rate_limited),
          sample("rejected", "unavailable", c.unavailable)};
}

std::string RoutesJson(const http::Router& router) {
  boost::json::array data;
  for (const auto& [method, pattern] : router.Routes()) {
    data.push_back(boost::json::object{{"method", method}, {"path", pattern}});
  }
  return boost::json::serialize(
      boost::json::object{{"object", "list"}, {"has_more", false}, {"data", std::move(data)}});
}

}  // namespace

void Service::AddAdminRoutes() {
  admin_auth_ = std::make_unique<admin::AdminAuth>(
      admin::AdminAuthOptions{.admin_key = config_.admin.admin_key}, clock_);
  admin::AdminApiOptions options;
  options.store = store_.get();
  options.read_state = [processor = processor_.get()](const auto& read) {
    processor->WithState(read);
  };
  options.config = &billing_;
  options.clock = clock_;
  options.duplicates_since_start = [ingest = ingest_.get()] {
    return ingest->counters().duplicate.load();
  };
  options.ingest_latency = &ingest_latency_;
  if (!config_.stripe.secret_key.empty()) {
    // jobs_ (which owns the reconciler) is created after these routes: look it up per call.
    options.stripe.stripe_view = [this](const std::string& user) -> util::StatusOr<std::string> {
      auto hook = jobs_ ? jobs_->StripeViewHook() : nullptr;
      if (!hook) return util::UnavailableError("the Stripe reconciler is not running");
      return hook(user);
    };
    options.stripe.resync = [this](const std::string& user) -> util::Status {
      auto hook = jobs_ ? jobs_->ResyncHook() : nullptr;
      if (!hook) return util::UnavailableError("the Stripe reconciler is not running");
      return hook(user);
    };
  }
  admin_api_ = admin::AdminApi::Register(router_, *admin_auth_, std::move(options));

  admin::WebhookHealthOptions health;
  health.signature_failures_per_hour = config_.admin.signature_failures_alert_per_hour;
  health.signature_failures = [ingest = ingest_.get()] {
    return ingest->counters().rejected_signature.load();
  };
  health.metrics = &util::DefaultMetrics();
  // One instance of a cluster raises the alerts about the shared database (a single-instance
  // store always holds it). Run() starts the checks before the health checks and the server.
  alerts_leadership_ = std::make_unique<Leadership>(
      "alerts", [store = store_.get()] { return store->HoldLeadership("alerts"); }, [](bool) {});
  health.raises_cluster_alerts = [leadership = alerts_leadership_.get()] {
    return leadership->held();
  };
  util::StatusOr<notify::NotifySettings> notify_settings = DecodeNotifyConfig(config_);
  if (notify_settings.ok() && notify_settings->alerts_url) {
    // Health drops, dead events and signature-failure bursts also go to the operator's alert URL.
    health.on_alert = [store = store_.get(), clock = clock_](std::string_view alert,
                                                             std::string_view message) {
      util::Status queued =
          notify::EnqueueAlert(*store, *clock, "health." + std::string(alert), message);
      if (!queued.ok()) util::LogWarn("alert not queued").Str("error", queued.message());
    };
  }
  webhook_health_ = std::make_unique<admin::WebhookHealth>(store_.get(), clock_, health);
  webhook_health_->Register(router_);
  metrics_endpoint_ = admin::MetricsEndpoint::Register(router_, util::DefaultMetrics());
  // Every registered route, read when asked (the router is complete once serving): the OpenAPI
  // test compares it with docs/openapi.yaml.
  admin::AddAdminRoute(router_, *admin_auth_, "GET", "/admin/routes",
                       [this](http::Request&&, http::Responder respond) {
                         respond(http::Response::Json(200, RoutesJson(router_)));
                       });
}

// After every route is added: the observer labels requests with the router's patterns.
http::RequestObserver Service::MetricsObserver() {
  admin::ServiceMetricsSources sources;
  sources.store = store_.get();
  sources.clock = clock_;
  sources.in_flight = [this] { return server_ ? server_->in_flight() : 0; };
  sources.webhook_outcomes = [ingest = ingest_.get()] {
    return WebhookOutcomes(ingest->counters());
  };
  sources.admin_auth_failures = [auth = admin_auth_.get()] { return auth->failures(); };
  admin::RegisterServiceMetrics(util::DefaultMetrics(), std::move(sources));
  std::vector<std::string> webhook_paths;
  for (const EndpointConfig& e : config_.endpoints) {
    webhook_paths.push_back(e.path);
    webhook_paths.insert(webhook_paths.end(), e.aliases.begin(), e.aliases.end());
  }
  return admin::MakeRequestObserver(util::DefaultMetrics(), router_, std::move(webhook_paths),
                                    &ingest_latency_);
}

}  // namespace stripehook::app
