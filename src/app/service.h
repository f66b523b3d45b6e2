#pragma once

#include <memory>

#include "admin/admin_api.h"
#include "admin/admin_auth.h"
#include "admin/latency_recorder.h"
#include "admin/service_metrics.h"
#include "admin/webhook_health.h"
#include "app/config.h"
#include "app/config_billing.h"
#include "app/leadership.h"
#include "app/service_jobs.h"
#include "billing/config.h"
#include "http/router.h"
#include "http/server.h"
#include "ingest/webhook_ingest.h"
#include "notify/outbox_deliverer.h"
#include "pipeline/processor.h"
#include "store/store.h"
#include "stripe/client/stripe_client.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::app {

// The running service: store, ingest, operational routes and the HTTP server, wired from a
// Config. Owns everything it creates. Shutdown order matters for durability: the server drains
// first (in-flight webhooks still wait for their commits), then the store's writer.
class Service {
 public:
  static util::StatusOr<std::unique_ptr<Service>> Create(const Config& config);
  ~Service();

  // Serves until SIGTERM/SIGINT or Stop(), then shuts down gracefully. Blocks.
  util::Status Run();
  void Stop();
  uint16_t port() const { return server_->port(); }

 private:
  Service() = default;
  void AddOperationalRoutes();
  void AddTestingRoutes(util::ManualClock* clock);
  // Admin API, webhook health, /metrics (service_admin.cpp).
  void AddAdminRoutes();
  http::RequestObserver MetricsObserver();
  // The Stripe client and the outbound app commands, when a key is set (service_stripe.cpp).
  util::Status AddStripe();
  // Outbox delivery from [notify] and the admin outbox routes (service_notify.cpp).
  util::Status AddNotify();

  Config config_;
  std::unique_ptr<util::Clock> owned_clock_;
  const util::Clock* clock_ = nullptr;
  std::unique_ptr<store::Store> store_;
  billing::Config billing_;
  std::unique_ptr<pipeline::Processor> processor_;
  std::unique_ptr<ingest::WebhookIngest> ingest_;
  // Declared before router_: admin routes (any area's, via admin::AddAdminRoute) point at it.
  std::unique_ptr<admin::AdminAuth> admin_auth_;
  admin::LatencyRecorder ingest_latency_;
  std::unique_ptr<admin::AdminApi> admin_api_;
  // Who raises the alerts about the shared database (WebhookHealthOptions::raises_cluster_alerts).
  // Declared before webhook_health_, which asks it until destroyed.
  std::unique_ptr<Leadership> alerts_leadership_;
  std::unique_ptr<admin::WebhookHealth> webhook_health_;
  std::unique_ptr<admin::MetricsEndpoint> metrics_endpoint_;
  std::unique_ptr<notify::OutboxDeliverer> deliverer_;  // null when no channel is configured
  // Runs deliverer_ while this instance leads "outbox" (always on SQLite); null without it.
  std::unique_ptr<Leadership> outbox_leadership_;
  // Null without a Stripe key. Shared: the command routes, backfill and reconcile hold it.
  std::shared_ptr<stripe::StripeClient> stripe_client_;
  std::unique_ptr<ServiceJobs> jobs_;  // scheduler and reconciler (service_jobs.h)
  http::Router router_;
  std::unique_ptr<http::Server> server_;
};

// The process's Stripe client from [stripe] (key, api_base, api_version) with its own request
// budget (25 requests/s): the service makes one, and so does each CLI command that calls Stripe.
util::StatusOr<std::shared_ptr<stripe::StripeClient>> MakeStripeClient(const StripeConfig& c);

}  // namespace stripehook::app
