#include "ingest/webhook_ingest.h"

#include <chrono>
#include <cmath>
#include <string>
#include <utility>

#include "stripe/envelope.h"
#include "stripe/signature.h"
#include "util/json_text.h"
#include "util/log.h"

namespace stripehook::ingest {
namespace {

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Latency from the moment the server had the whole request to now, in microseconds.
int64_t LatencyUs(int64_t received_at_steady_ns) {
  if (received_at_steady_ns == 0) return 0;
  return (SteadyNowNs() - received_at_steady_ns) / 1000;
}

std::string AckBody(std::string_view status, std::string_view id) {
  std::string body = "{\"status\":\"";
  body += status;
  body += "\",\"id\":";
  util::AppendJsonString(body, id);
  body += '}';
  return body;
}

store::NewEvent ToNewEvent(stripe::EventEnvelope&& envelope, std::string&& payload,
                           const EndpointSpec& spec, int64_t received_at_us) {
  store::NewEvent event;
  event.id = std::move(envelope.id);
  event.type = std::move(envelope.type);
  event.created = envelope.created;
  event.livemode = envelope.livemode;
  event.api_version = std::move(envelope.api_version);
  event.account = std::move(envelope.account);
  event.object_id = std::move(envelope.object_id);
  event.object_type = std::move(envelope.object_type);
  event.payload = std::move(payload);
  event.received_at_us = received_at_us;
  event.source = "webhook";
  event.endpoint = spec.name;
  return event;
}

}  // namespace

WebhookIngest::WebhookIngest(store::Store* store, const util::Clock* clock, IngestOptions options)
    : store_(store), clock_(clock), options_(options) {
  if (options_.rate_limit_per_second > 0) {
    double burst =
        options_.rate_limit_burst > 0 ? options_.rate_limit_burst : options_.rate_limit_per_second;
    limiter_ = std::make_unique<http::RateLimiter>(options_.rate_limit_per_second, burst);
  }
}

void WebhookIngest::Register(http::Router& router, EndpointSpec spec) {
  endpoints_.push_back(std::make_unique<EndpointSpec>(std::move(spec)));
  const EndpointSpec* endpoint = endpoints_.back().get();
  for (const std::string& path : endpoint->paths) {
    router.Add("POST", path, [this, endpoint](http::Request&& request, http::Responder respond) {
      Handle(*endpoint, std::move(request), std::move(respond));
    });
  }
}

bool WebhookIngest::RateLimited(const http::Request& request, http::Responder& respond) {
  if (!limiter_) return false;
  double retry_after = 0;
  if (limiter_->Allow(request.remote_address, clock_->NowUnixMicros(), &retry_after)) return false;
  counters_.rate_limited.fetch_add(1, std::memory_order_relaxed);
  http::Response response =
      http::Response::Error(429, "rate_limited", "too many webhook requests from this address");
  response.headers.emplace_back("Retry-After",
                                std::to_string(static_cast<int64_t>(std::ceil(retry_after))));
  respond(std::move(response));
  return true;
}

void WebhookIngest::Handle(const EndpointSpec& spec, http::Request&& request,
                           http::Responder respond) {
  if (RateLimited(request, respond)) return;
  auto reject = [&](std::atomic<int64_t>& counter, std::string_view code,
                    std::string_view message) {
    counter.fetch_add(1, std::memory_order_relaxed);
    util::LogWarn("webhook rejected")
        .Str("request_id", request.request_id)
        .Str("endpoint", spec.name)
        .Str("outcome", code)
        .Str("reason", message)
        .Int("latency_us", LatencyUs(request.received_at_steady_ns));
    respond(http::Response::Error(400, code, message));
  };

  std::string_view header;
  if (request.HeaderCount("stripe-signature") > 1) {
    return reject(counters_.rejected_signature, "signature_malformed",
                  "more than one Stripe-Signature header");
  }
  if (auto value = request.Header("stripe-signature")) header = *value;
  stripe::VerifyResult verdict = stripe::VerifySignature(
      request.body, header, spec.secrets, clock_->NowUnixSeconds(), {spec.tolerance_seconds});
  if (!verdict.ok()) {
    return reject(counters_.rejected_signature, stripe::SignatureErrorCode(verdict.error),
                  verdict.message);
  }
  util::StatusOr<stripe::EventEnvelope> envelope = stripe::ParseEventEnvelope(request.body);
  if (!envelope.ok()) {
    return reject(counters_.rejected_payload, "invalid_payload", envelope.status().message());
  }

  store::NewEvent event = ToNewEvent(std::move(envelope).value(), std::move(request.body), spec,
                                     clock_->NowUnixMicros());
  PendingAck ack{std::move(respond), event.id,
                 event.type,         std::move(request.request_id),
                 spec.name,          request.received_at_steady_ns};
  store_->InsertEventAsync(std::move(event),
                           [this, ack = std::move(ack)](util::StatusOr<store::InsertOutcome> r) {
                             Acknowledge(ack, r);
                           });
}

// Runs on the store's writer thread once the batch holding the event committed (or failed).
void WebhookIngest::Acknowledge(const PendingAck& ack,
                                const util::StatusOr<store::InsertOutcome>& outcome) {
  std::string_view result;
  http::Response response;
  if (!outcome.ok()) {
    counters_.unavailable.fetch_add(1, std::memory_order_relaxed);
    result = "unavailable";
    // Nothing was acknowledged: Stripe keeps the event and retries it.
    response = http::Response::Error(503, "unavailable", "storage unavailable, retry later");
    response.headers.emplace_back("Retry-After", "5");
  } else if (*outcome == store::InsertOutcome::kInserted) {
    counters_.accepted.fetch_add(1, std::memory_order_relaxed);
    result = "accepted";
    if (options_.on_stored) options_.on_stored();
    response = http::Response::Json(200, AckBody(result, ack.event_id));
  } else {
    counters_.duplicate.fetch_add(1, std::memory_order_relaxed);
    result = "duplicate";
    response = http::Response::Json(200, AckBody(result, ack.event_id));
  }
  {
    util::LogLine line(outcome.ok() ? util::LogLevel::kInfo : util::LogLevel::kError, "webhook");
    line.Str("request_id", ack.request_id)
        .Str("endpoint", ack.endpoint)
        .Str("event_id", ack.event_id)
        .Str("event_type", ack.event_type)
        .Str("outcome", result)
        .Int("latency_us", LatencyUs(ack.received_at_steady_ns));
    if (!outcome.ok()) line.Str("error", outcome.status().ToString());
  }
  ack.respond(std::move(response));
}

}  // namespace stripehook::ingest
