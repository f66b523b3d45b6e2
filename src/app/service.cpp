#include "app/service.h"

#include <cstdlib>
#include <utility>

#include "admin/app_api.h"
#include "admin/ui_assets.h"
#include "app/store_factory.h"
#include "util/log.h"

namespace stripehook::app {
namespace {

http::ServerOptions ServerOptionsFrom(const ServerConfig& c) {
  http::ServerOptions o;
  o.address = c.address;
  o.port = c.port;
  o.threads = c.threads;
  o.header_limit = c.header_limit_bytes;
  o.body_limit = c.body_limit_bytes;
  o.read_timeout = std::chrono::milliseconds(c.read_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(c.idle_timeout_ms);
  o.shutdown_grace = std::chrono::milliseconds(c.shutdown_grace_ms);
  o.max_connections = c.max_connections;
  o.handle_signals = true;
  return o;
}

pipeline::ProcessorOptions ProcessorOptionsFrom(const ProcessingConfig& c) {
  pipeline::ProcessorOptions o;
  o.backoff_seconds = c.backoff_seconds;
  o.max_attempts = static_cast<int>(c.max_attempts);
  o.batch_size = static_cast<int>(c.batch_size);
  o.poll_interval = std::chrono::milliseconds(c.poll_interval_ms);
  return o;
}

ingest::EndpointSpec SpecFrom(const EndpointConfig& e) {
  ingest::EndpointSpec spec;
  spec.name = e.name;
  spec.paths.push_back(e.path);
  spec.paths.insert(spec.paths.end(), e.aliases.begin(), e.aliases.end());
  spec.secrets = e.secrets;
  spec.tolerance_seconds = e.tolerance_seconds;
  return spec;
}

}  // namespace

util::StatusOr<std::unique_ptr<Service>> Service::Create(const Config& config) {
  std::unique_ptr<Service> service(new Service());
  Service& s = *service;
  s.config_ = config;
  SH_ASSIGN_OR_RETURN(s.billing_, DecodeBillingConfig(config));
  SH_ASSIGN_OR_RETURN(ProcessingConfig processing, DecodeProcessingConfig(config));
  util::ManualClock* manual_clock = nullptr;
  if (config.testing.manual_clock_start) {
    auto clock =
        std::make_unique<util::ManualClock>(*config.testing.manual_clock_start * 1'000'000);
    manual_clock = clock.get();
    s.owned_clock_ = std::move(clock);
    s.clock_ = manual_clock;
  } else {
    s.clock_ = &util::SystemClock::Default();
  }
  SH_ASSIGN_OR_RETURN(s.store_, OpenStore(config, s.clock_));
  s.processor_ = std::make_unique<pipeline::Processor>(s.store_.get(), s.clock_, s.billing_,
                                                       ProcessorOptionsFrom(processing));
  SH_RETURN_IF_ERROR(s.processor_->LoadState().Annotate("loading billing state"));

  ingest::IngestOptions ingest_options;
  ingest_options.rate_limit_per_second = config.server.webhook_rate_limit_per_second;
  ingest_options.rate_limit_burst = config.server.webhook_rate_limit_burst;
  ingest_options.on_stored = [processor = s.processor_.get()] { processor->Notify(); };
  s.ingest_ = std::make_unique<ingest::WebhookIngest>(s.store_.get(), s.clock_, ingest_options);
  for (const EndpointConfig& endpoint : config.endpoints) {
    s.ingest_->Register(s.router_, SpecFrom(endpoint));
  }
  s.AddOperationalRoutes();
  s.AddAdminRoutes();
  SH_RETURN_IF_ERROR(s.AddNotify());
  admin::AddAppApiRoutes(
      s.router_, config.admin.app_key,
      [processor = s.processor_.get()](const auto& read) { processor->WithState(read); },
      &s.billing_, s.clock_);
  SH_RETURN_IF_ERROR(s.AddStripe());
  SH_ASSIGN_OR_RETURN(
      s.jobs_, ServiceJobs::Create(config, s.store_.get(), s.processor_.get(), s.stripe_client_,
                                   s.webhook_health_.get(), s.clock_));
  s.jobs_->AddRoutes(s.router_, *s.admin_auth_);
  admin::AddDashboardRoutes(s.router_);
  if (manual_clock != nullptr) s.AddTestingRoutes(manual_clock);

  SH_ASSIGN_OR_RETURN(s.server_, http::Server::Create(ServerOptionsFrom(config.server),
                                                      s.router_.AsHandler(), s.MetricsObserver()));
  return service;
}

Service::~Service() {
  if (outbox_leadership_) outbox_leadership_->Stop();
  if (jobs_) jobs_->Stop();
  if (webhook_health_) webhook_health_->Stop();
  if (alerts_leadership_) alerts_leadership_->Stop();
  if (processor_) processor_->Stop();
  if (deliverer_) deliverer_->Stop();
  if (store_) store_->Shutdown();
}

// Test-only: moves the manual clock (`[testing] manual_clock_start`), so lifecycle tests can ask
// for access at each checkpoint's time. Never registered with the system clock.
void Service::AddTestingRoutes(util::ManualClock* clock) {
  router_.Add("POST", "/testing/clock", [clock](http::Request&& request, http::Responder respond) {
    char* end = nullptr;
    long long now = std::strtoll(request.body.c_str(), &end, 10);
    if (request.body.empty() || end == request.body.c_str()) {
      return respond(http::Response::Error(400, "invalid_request", "body: unix seconds"));
    }
    clock->SetUnixSeconds(now);
    respond(http::Response::Json(200, "{\"now\":" + std::to_string(now) + "}"));
  });
}

void Service::AddOperationalRoutes() {
  router_.Add("GET", "/healthz", [](http::Request&&, http::Responder respond) {
    respond(http::Response::Json(200, R"({"status":"ok"})"));
  });
  // Readiness asks the store; a read connection answers without waiting on the writer.
  router_.Add("GET", "/readyz", [this](http::Request&&, http::Responder respond) {
    util::Status ping = store_->Ping();
    if (ping.ok()) return respond(http::Response::Json(200, R"({"status":"ready"})"));
    respond(http::Response::Error(503, "unavailable", "store: " + ping.message()));
  });
}

util::Status Service::Run() {
  util::LogInfo("listening")
      .Str("address", config_.server.address)
      .Int("port", server_->port())
      .Str("database", config_.database.url)
      .Int("endpoints", static_cast<int64_t>(config_.endpoints.size()));
  processor_->Start();
  jobs_->Start();
  if (outbox_leadership_) outbox_leadership_->Start();
  alerts_leadership_->Start();
  webhook_health_->Start(std::chrono::seconds(config_.admin.health_check_interval_seconds));
  server_->Run();
  webhook_health_->Stop();
  alerts_leadership_->Stop();
  jobs_->Stop();  // waits for a running job: it may still write to the store
  // Every in-flight request has been answered; stop applying, then finish what the writer holds.
  processor_->Stop();
  if (outbox_leadership_) outbox_leadership_->Stop();
  if (deliverer_) deliverer_->Stop();
  store_->Shutdown();
  const ingest::IngestCounters& c = ingest_->counters();
  util::LogInfo("stopped")
      .Int("accepted", c.accepted.load())
      .Int("duplicate", c.duplicate.load())
      .Int("rejected_signature", c.rejected_signature.load())
      .Int("rejected_payload", c.rejected_payload.load())
      .Int("unavailable", c.unavailable.load());
  return util::OkStatus();
}

void Service::Stop() { server_->Stop(); }

}  // namespace stripehook::app
