#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "stripe/client/stripe_client.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::reconcile {

// Stripe keeps events in GET /v1/events for 30 days; older gaps cannot be recovered.
inline constexpr int64_t kEventRetentionSeconds = 30 * 24 * 3600;

struct BackfillOptions {
  // Lower bound (Unix seconds, inclusive) of the events asked for. Unset: the `created` of the
  // newest event in the inbox minus `safety_window_seconds`; an empty inbox: the whole
  // retention period. The scheduler leaves it unset, `stripehook replay --since` sets it.
  std::optional<int64_t> since;
  // Overlap with what the inbox already holds. Must exceed the interval between scheduled runs
  // (hourly by default) so that consecutive runs leave no hole: each run covers
  // [newest stored - window, now].
  int64_t safety_window_seconds = 2 * 3600;
  // Stripe's `types[]` filter (the endpoint's enabled events); empty = every type. Stripe
  // accepts at most 20 types per request; more are listed in several passes.
  std::vector<std::string> event_types;
  // Warn when `since` is older than now - (retention - this margin).
  int64_t retention_warning_margin_seconds = 3 * 24 * 3600;
  std::string source = "backfill";  // NewEvent::source of what is inserted
  std::string endpoint;             // NewEvent::endpoint ("" = none)
  stripe::Priority priority = stripe::Priority::kBackfill;
};

struct BackfillReport {
  int64_t since = 0;                              // the lower bound used
  int64_t fetched = 0;                            // events Stripe listed
  int64_t inserted = 0;                           // new in the inbox: the webhooks that were missed
  int64_t duplicates = 0;                         // already in the inbox
  int64_t invalid = 0;                            // listed but not a usable event (logged, skipped)
  std::optional<int64_t> oldest_missing_created;  // `created` of the oldest inserted event
  // Set when the window reaches within the warning margin of Stripe's retention (or past it):
  // events just beyond the limit are gone from the API. Also logged as a warning.
  std::optional<std::string> retention_warning;
};

// Lists GET /v1/events from the lower bound up to now and inserts every event the inbox lacks
// with Store::InsertEvent semantics (the event id dedupes: an event already delivered by webhook
// is a duplicate and changes nothing), oldest first, source `options.source`. The pipeline then
// applies them like any webhook, so afterwards a missed webhook is indistinguishable from a
// delivered one except for its source.
//
// Blocking; may take long (it waits on the client's request budget at the given priority). Safe to
// run while ingest and the pipeline run. Does not run concurrently with itself by design of the
// caller (the scheduler never overlaps a job with itself). Errors: the client's error when listing
// fails (nothing inserted), the store's error when an insert fails (earlier inserts stay).
util::StatusOr<BackfillReport> RunBackfill(stripe::StripeClient& client, store::Store& store,
                                           const util::Clock& clock,
                                           const BackfillOptions& options);

}  // namespace stripehook::reconcile
