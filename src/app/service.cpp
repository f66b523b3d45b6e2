#include "app/service.h"

#include <utility>

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
  service->config_ = config;
  if (config.testing.manual_clock_start) {
    service->owned_clock_ =
        std::make_unique<util::ManualClock>(*config.testing.manual_clock_start * 1'000'000);
    service->clock_ = service->owned_clock_.get();
    util::LogWarn("testing: manual clock in use").Int("start", *config.testing.manual_clock_start);
  } else {
    service->clock_ = &util::SystemClock::Default();
  }
  SH_ASSIGN_OR_RETURN(service->store_, OpenStore(config, service->clock_));

  ingest::IngestOptions ingest_options;
  ingest_options.rate_limit_per_second = config.server.webhook_rate_limit_per_second;
  ingest_options.rate_limit_burst = config.server.webhook_rate_limit_burst;
  service->ingest_ = std::make_unique<ingest::WebhookIngest>(service->store_.get(), service->clock_,
                                                             ingest_options);
  for (const EndpointConfig& endpoint : config.endpoints) {
    service->ingest_->Register(service->router_, SpecFrom(endpoint));
  }
  service->AddOperationalRoutes();

  SH_ASSIGN_OR_RETURN(service->server_, http::Server::Create(ServerOptionsFrom(config.server),
                                                             service->router_.AsHandler()));
  return service;
}

Service::~Service() {
  if (store_) store_->Shutdown();
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
  server_->Run();
  // Every in-flight request has been answered; now finish whatever the writer still holds.
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
