#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "admin/app_api.h"
#include "billing/config.h"
#include "http/router.h"
#include "stripe/client/stripe_client.h"
#include "util/clock.h"

namespace stripehook::admin {

struct AppCommandsOptions {
  std::string app_key;  // same key as the read API; empty = every command answers 401
  int checkout_per_user_per_minute = 5;
  // Used when a checkout request names no URL.
  std::string default_success_url;
  std::string default_cancel_url;
  // How long a checkout answer is remembered for its Idempotency-Key (Stripe keeps keys 24 h).
  int64_t idempotency_ttl_seconds = 24 * 3600;
  int worker_threads = 2;  // threads that wait on Stripe, so HTTP I/O threads never do
};

// The outbound commands of the application API (DESIGN.md §4), key `Authorization: Bearer <app
// key>`, each a call to Stripe made on the routes' own worker threads (never on an HTTP I/O
// thread) at Priority::kLive:
//
//   POST /v1/checkout   {"user_id","plan","mode":"subscription"|"payment","success_url",
//                        "cancel_url","quantity"}
//     Creates a Checkout Session with the plan's first configured price,
//     client_reference_id = user_id, metadata[user_id], and the user's Stripe customer when one
//     is known. 200 {"id","url","mode","plan","price","user_id"}. Header Idempotency-Key: the
//     same key (per user) answers the same session again without a new Stripe call, and is
//     forwarded to Stripe. Rate limit per user (default 5 per minute, sliding window, replays of
//     a key not counted) → 429 `rate_limited` with Retry-After.
//   POST /v1/subscriptions/{id}/plan   {"plan"}
//     Reads the subscription from Stripe, then moves its first item to the plan's price with
//     proration_behavior=create_prorations. 200 {"subscription","plan","price"}.
//   POST /v1/users/{user_id}/cancel    {"at_period_end": false}
//     Cancels every subscription of the user that is not canceled yet (from local state: the
//     user's own and those of the user's customers): DELETE at once, or cancel_at_period_end.
//     200 {"user_id","at_period_end","subscriptions":[ids]}.
//
// With a null `client` (no Stripe key configured) the routes exist and answer 503
// `stripe_not_configured` after the key check.
// Errors: 401 `unauthorized`; 400 `invalid_request` (bad JSON, unknown plan, missing field);
// 404 `not_found` (Stripe has no such subscription); 429 `rate_limited`; 502 `stripe_error` when
// Stripe refused or could not be reached (its message included; nothing was changed by us).
// The routes share ownership of `client` and of their worker threads (joined, after the queued
// calls finish, when the router is destroyed). `config` and `clock` must outlive the routes.
// Thread-safe.
void AddAppCommandRoutes(http::Router& router, AppCommandsOptions options,
                         std::shared_ptr<stripe::StripeClient> client, StateReader read_state,
                         const billing::Config* config, const util::Clock* clock);

}  // namespace stripehook::admin
