#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "admin/latency_recorder.h"
#include "admin/work_queue.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/metrics.h"

namespace stripehook::admin {

// Where the service-wide metrics come from at scrape time. Every function may be empty.
struct ServiceMetricsSources {
  store::Store* store = nullptr;  // queue depth, oldest pending age, dead events, outbox backlog
  const util::Clock* clock = nullptr;
  std::function<int64_t()> in_flight;  // HTTP requests being handled
  // Webhook deliveries since start, labels {outcome, reason}: accepted, duplicate, rejected/...
  std::function<std::vector<util::Sample>()> webhook_outcomes;
  std::function<int64_t()> admin_auth_failures;
};

// Registers the scrape-time families (in-flight, webhook outcomes, queue, dead, outbox backlog)
// in `registry`. Call once per registry.
void RegisterServiceMetrics(util::MetricsRegistry& registry, ServiceMetricsSources sources);

// The observer to give http::Server: `stripehook_http_requests_total{route,method,status}` and
// `stripehook_http_request_duration_seconds{route}`, the route being the router's pattern (never
// the raw path, so ids do not explode the label set; "unmatched" otherwise). Deliveries to
// `webhook_paths` answered 200 also feed `ingest_latency` (may be null), for admin stats. The
// router's routes are read now: call after every route is added.
http::RequestObserver MakeRequestObserver(util::MetricsRegistry& registry,
                                          const http::Router& router,
                                          std::vector<std::string> webhook_paths,
                                          LatencyRecorder* ingest_latency);

// GET /metrics: the registry in Prometheus text format (version 0.0.4). No key: scrapers call it
// and it holds counts only. Rendered on a thread of its own (scrape-time callbacks query the
// store), never on an HTTP I/O thread. `registry` must outlive the returned object, which must
// outlive the server's last request.
class MetricsEndpoint {
 public:
  static std::unique_ptr<MetricsEndpoint> Register(http::Router& router,
                                                   const util::MetricsRegistry& registry);

 private:
  MetricsEndpoint() : work_(1) {}
  WorkQueue work_;
};

}  // namespace stripehook::admin
