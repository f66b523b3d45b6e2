#include "reconcile/backfill.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <mutex>

#include "stripe/envelope.h"
#include "util/log.h"

namespace stripehook::reconcile {
namespace {

constexpr size_t kTypesPerRequest = 20;  // Stripe's limit on types[]
constexpr size_t kInsertChunk = 128;     // inserts in flight at once (one group commit)

// The default lower bound: the newest inbox event (in arrival order, which for webhooks follows
// `created` closely; a late arrival only makes the window wider) minus the safety window.
util::StatusOr<int64_t> LowerBound(store::Store& store, const BackfillOptions& options,
                                   int64_t now) {
  if (options.since.has_value()) return *options.since;
  store::EventFilter newest;
  newest.limit = 1;
  SH_ASSIGN_OR_RETURN(store::EventPage page, store.ListEvents(newest));
  if (page.events.empty()) return now - kEventRetentionSeconds;
  return page.events.front().event.created - options.safety_window_seconds;
}

util::StatusOr<store::NewEvent> ToNewEvent(const boost::json::object& event,
                                           const BackfillOptions& options) {
  std::string payload = boost::json::serialize(event);
  SH_ASSIGN_OR_RETURN(stripe::EventEnvelope env, stripe::ParseEventEnvelope(payload));
  store::NewEvent out;
  out.id = std::move(env.id);
  out.type = std::move(env.type);
  out.created = env.created;
  out.livemode = env.livemode;
  out.api_version = std::move(env.api_version);
  out.account = std::move(env.account);
  out.object_id = std::move(env.object_id);
  out.object_type = std::move(env.object_type);
  out.payload = std::move(payload);
  out.source = options.source;
  out.endpoint = options.endpoint;
  return out;
}

// Every event of Stripe's list at or after `since`, in one vector, newest first per pass.
util::Status FetchEvents(stripe::StripeClient& client, const BackfillOptions& options,
                         int64_t since, std::vector<store::NewEvent>& out, BackfillReport& report) {
  std::vector<stripe::Params> passes;
  const auto& types = options.event_types;
  for (size_t i = 0; i < std::max<size_t>(1, types.size()); i += kTypesPerRequest) {
    stripe::Params params{{"created[gte]", std::to_string(since)}};
    for (size_t j = i; j < std::min(types.size(), i + kTypesPerRequest); ++j) {
      params.emplace_back("types[]", types[j]);
    }
    passes.push_back(std::move(params));
  }
  for (const stripe::Params& params : passes) {
    SH_RETURN_IF_ERROR(
        client.List("/v1/events", params, options.priority, [&](const boost::json::object& event) {
          ++report.fetched;
          util::StatusOr<store::NewEvent> e = ToNewEvent(event, options);
          if (e.ok()) {
            out.push_back(std::move(e).value());
          } else {
            ++report.invalid;
            util::LogWarn("backfill: skipped an unusable event").Str("error", e.status().message());
          }
          return true;
        }));
  }
  return util::OkStatus();
}

// Inserts one chunk through the group-commit writer and waits for all of it.
util::Status InsertChunk(store::Store& store, std::vector<store::NewEvent> chunk,
                         BackfillReport& report) {
  std::mutex mu;
  std::condition_variable cv;
  size_t remaining = chunk.size();
  util::Status first_error;
  std::vector<std::pair<int64_t, bool>> outcomes;  // created, inserted
  for (store::NewEvent& event : chunk) {
    int64_t created = event.created;
    store.InsertEventAsync(std::move(event), [&, created](util::StatusOr<store::InsertOutcome> r) {
      std::lock_guard lock(mu);
      if (!r.ok() && first_error.ok()) first_error = r.status();
      if (r.ok()) outcomes.emplace_back(created, *r == store::InsertOutcome::kInserted);
      if (--remaining == 0) cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return remaining == 0; });
  for (const auto& [created, inserted] : outcomes) {
    if (!inserted) {
      ++report.duplicates;
      continue;
    }
    ++report.inserted;
    if (!report.oldest_missing_created || created < *report.oldest_missing_created) {
      report.oldest_missing_created = created;
    }
  }
  return first_error;
}

void CheckRetention(BackfillReport& report, int64_t now, const BackfillOptions& options) {
  int64_t horizon = now - kEventRetentionSeconds;
  if (report.since > horizon + options.retention_warning_margin_seconds) return;
  int64_t days_left = (report.since - horizon) / 86400;
  report.retention_warning =
      report.since <= horizon
          ? "the backfill window starts beyond Stripe's 30-day event retention: events older "
            "than 30 days cannot be recovered from the API; run `stripehook reconcile`"
          : "the backfill window is within " + std::to_string(std::max<int64_t>(0, days_left)) +
                " day(s) of Stripe's 30-day event retention: older missed events will soon be "
                "unrecoverable";
  util::LogWarn("backfill near event retention")
      .Int("since", report.since)
      .Str("warning", *report.retention_warning);
}

}  // namespace

util::StatusOr<BackfillReport> RunBackfill(stripe::StripeClient& client, store::Store& store,
                                           const util::Clock& clock,
                                           const BackfillOptions& options) {
  const int64_t now = clock.NowUnixSeconds();
  BackfillReport report;
  SH_ASSIGN_OR_RETURN(report.since, LowerBound(store, options, now));
  CheckRetention(report, now, options);
  std::vector<store::NewEvent> events;
  SH_RETURN_IF_ERROR(FetchEvents(client, options, report.since, events, report));
  // Oldest first, so the inbox's arrival order follows `created` as webhooks would have.
  std::reverse(events.begin(), events.end());
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.created < b.created; });
  for (size_t i = 0; i < events.size(); i += kInsertChunk) {
    auto end =
        events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), i + kInsertChunk));
    std::vector<store::NewEvent> chunk(std::make_move_iterator(events.begin() + i),
                                       std::make_move_iterator(end));
    SH_RETURN_IF_ERROR(InsertChunk(store, std::move(chunk), report));
  }
  util::LogInfo("backfill done")
      .Int("since", report.since)
      .Int("fetched", report.fetched)
      .Int("inserted", report.inserted)
      .Int("duplicates", report.duplicates);
  return report;
}

}  // namespace stripehook::reconcile
