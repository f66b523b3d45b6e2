#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "admin/admin_auth.h"
#include "admin/app_api.h"
#include "admin/latency_recorder.h"
#include "billing/config.h"
#include "http/router.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::admin {

// Stripe-side hooks for check-user and fix-user, wired by the reconciliation layer when a Stripe
// key is configured. Unset: the answers say "not_configured". Called on an admin worker thread;
// they may block on the Stripe API.
struct StripeUserHooks {
  // Re-syncs the user's customer, subscriptions and invoices from the Stripe API.
  std::function<util::Status(const std::string& user_id)> resync;
  // What Stripe says about the user now, as a JSON document (shown in check-user under "stripe").
  std::function<util::StatusOr<std::string>(const std::string& user_id)> stripe_view;
};

struct AdminApiOptions {
  store::Store* store = nullptr;
  StateReader read_state;                   // the live billing state (pipeline Processor)
  const billing::Config* config = nullptr;  // access policy
  const util::Clock* clock = nullptr;
  // Ingest outcomes counted in memory since the process started (stats: duplicates).
  std::function<int64_t()> duplicates_since_start;
  // Ingest latency (request read → durable ack) of recent webhook deliveries; may be null.
  const LatencyRecorder* ingest_latency = nullptr;
  StripeUserHooks stripe;
  int worker_threads = 2;  // threads that run the admin handlers that wait on the store
};

// The admin API of DESIGN.md §4 behind `auth` (see docs/api.md for every shape):
//   GET  /admin/events                  list (status, type, object_id, customer, created_gte/_lt,
//                                       received_gte/_lt, limit, starting_after), Stripe list shape
//   GET  /admin/events/{id}             detail: payload, attempts, errors, audit rows
//   POST /admin/events/{id}/retry       re-queue one failed/dead event
//   POST /admin/events/retry-failed     re-queue every failed and dead event
//   GET  /admin/stats?window=24h        counts by status and type, duplicates, latency percentiles
//   POST /admin/cleanup?older_than=30d  delete old processed events (never failed/dead/needed)
//   GET  /admin/users/{user_id}         check-user (id, customer id or email)
//   POST /admin/users/{user_id}/fix     re-queue the user's failed events, Stripe re-sync hook
//   GET  /admin/health/subscriptions    score 0–100, failed/dead, mismatches, orphaned, missing
// Errors: 400 `invalid_request` (bad limit, cursor, window, filter), 404 `not_found`, 409
// `conflict` (retry of an event that is not failed/dead), 503 `unavailable` (store down).
//
// Handlers that touch the store run on the returned object's worker threads, never on an HTTP
// I/O thread. Everything passed in must outlive the returned object, which must outlive the
// server's last request (destroying it finishes queued work first).
class AdminApi {
 public:
  static std::unique_ptr<AdminApi> Register(http::Router& router, AdminAuth& auth,
                                            AdminApiOptions options);
  virtual ~AdminApi() = default;
};

}  // namespace stripehook::admin
