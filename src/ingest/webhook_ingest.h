#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "store/store.h"
#include "util/clock.h"

namespace stripehook::ingest {

// One Stripe webhook endpoint as ingest serves it.
struct EndpointSpec {
  std::string name;
  std::vector<std::string> paths;    // the path and its aliases
  std::vector<std::string> secrets;  // any v1 matching any secret passes (rotation)
  int64_t tolerance_seconds = 300;
};

struct IngestOptions {
  double rate_limit_per_second = 0;  // per client address; 0 = unlimited
  double rate_limit_burst = 0;
  // Called (on the writer thread) after a new event is durable: wakes the pipeline. Must not block.
  std::function<void()> on_stored;
};

// Outcome counters, read by metrics and health. Monotonic; relaxed atomics.
struct IngestCounters {
  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> duplicate{0};
  std::atomic<int64_t> rejected_signature{0};
  std::atomic<int64_t> rejected_payload{0};
  std::atomic<int64_t> rate_limited{0};
  std::atomic<int64_t> unavailable{0};
};

// The webhook endpoint: verify → parse envelope → group-commit writer → ack. A 200 is sent only
// from the store's commit callback, so every acknowledged event is durable; a storage failure
// answers 503 so that Stripe retries. Never logs a secret, a signature or a payload.
// Thread-safe; the store and clock must outlive it.
class WebhookIngest {
 public:
  WebhookIngest(store::Store* store, const util::Clock* clock, IngestOptions options);

  // Adds `POST <path>` for each of the endpoint's paths to `router`.
  void Register(http::Router& router, EndpointSpec spec);

  const IngestCounters& counters() const { return counters_; }

 private:
  // What the commit callback needs to answer and log, kept apart from the request body.
  struct PendingAck {
    http::Responder respond;
    std::string event_id;
    std::string event_type;
    std::string request_id;
    std::string endpoint;
    int64_t received_at_steady_ns;
  };

  void Handle(const EndpointSpec& spec, http::Request&& request, http::Responder respond);
  void Acknowledge(const PendingAck& ack, const util::StatusOr<store::InsertOutcome>& outcome);
  bool RateLimited(const http::Request& request, http::Responder& respond);

  store::Store* store_;
  const util::Clock* clock_;
  IngestOptions options_;
  std::unique_ptr<http::RateLimiter> limiter_;
  std::vector<std::unique_ptr<EndpointSpec>> endpoints_;
  IngestCounters counters_;
};

}  // namespace stripehook::ingest
