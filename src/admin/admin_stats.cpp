// GET /admin/stats?window=24h and POST /admin/cleanup?older_than=30d.
#include <set>
#include <string>
#include <utility>

#include "admin/admin_internal.h"
#include "admin/latency_recorder.h"
#include "billing/retention.h"

namespace stripehook::admin::internal {
namespace {

constexpr int64_t kDefaultWindowSeconds = 24 * 3600;

// {"count","p50","p90","p99","max"} in seconds over ascending microsecond samples.
boost::json::object PercentilesJson(const std::vector<int64_t>& sorted) {
  return boost::json::object{
      {"count", static_cast<int64_t>(sorted.size())},
      {"p50", Micros2Seconds(Percentile(sorted, 50))},
      {"p90", Micros2Seconds(Percentile(sorted, 90))},
      {"p99", Micros2Seconds(Percentile(sorted, 99))},
      {"max", Micros2Seconds(sorted.empty() ? 0 : sorted.back())},
  };
}

int64_t Count(const std::map<std::string, int64_t>& by_status, std::string_view status) {
  auto it = by_status.find(std::string(status));
  return it == by_status.end() ? 0 : it->second;
}

boost::json::object CountsJson(const std::map<std::string, int64_t>& by_status, int64_t total) {
  boost::json::object o{{"received", total}};
  for (std::string_view s : {"pending", "processed", "ignored", "stale", "failed", "dead"}) {
    o[s] = Count(by_status, s);
  }
  return o;
}

http::Response Stats(const AdminContext& ctx, const http::Request& r) {
  int64_t window = kDefaultWindowSeconds;
  if (std::optional<std::string> text = r.QueryParam("window")) {
    util::StatusOr<int64_t> parsed = ParseDuration(*text, "window");
    if (!parsed.ok()) return ErrorFor(parsed.status());
    window = *parsed;
  }
  int64_t now_us = ctx.options.clock->NowUnixMicros();
  util::StatusOr<store::EventWindowStats> stats =
      ctx.options.store->StatsSince(now_us - window * 1'000'000);
  if (!stats.ok()) return ErrorFor(stats.status());
  boost::json::object by_type;
  for (const auto& [type, counts] : stats->by_type) {
    int64_t total = 0;
    for (const auto& [status, n] : counts) total += n;
    by_type[type] = CountsJson(counts, total);
  }
  boost::json::object o{
      {"object", "stats"},
      {"window_seconds", window},
      {"since", (now_us / 1'000'000) - window},
      {"events", CountsJson(stats->by_status, stats->total)},
      {"by_type", std::move(by_type)},
      {"processing_latency_seconds", PercentilesJson(stats->processing_latency_us)},
  };
  // Duplicates are not stored (a duplicate changes nothing), so they are counted by ingest in
  // memory: since the process started, whatever the window.
  int64_t duplicates =
      ctx.options.duplicates_since_start ? ctx.options.duplicates_since_start() : 0;
  o["duplicates"] = boost::json::object{{"count", duplicates}, {"scope", "since_start"}};
  std::vector<int64_t> ingest;
  if (ctx.options.ingest_latency != nullptr) ingest = ctx.options.ingest_latency->SortedSamples();
  boost::json::object ingest_json = PercentilesJson(ingest);
  ingest_json["scope"] = "recent_deliveries_since_start";
  o["ingest_latency_seconds"] = std::move(ingest_json);
  return JsonOk(o);
}

http::Response Cleanup(const AdminContext& ctx, const http::Request& r) {
  std::optional<std::string> text = r.QueryParam("older_than");
  if (!text) return ErrorFor(util::InvalidArgumentError("older_than: required, such as 30d"));
  util::StatusOr<int64_t> older_than = ParseDuration(*text, "older_than");
  if (!older_than.ok()) return ErrorFor(older_than.status());
  int64_t before_us = ctx.options.clock->NowUnixMicros() - *older_than * 1'000'000;
  std::set<std::string> keep;
  ctx.options.read_state(
      [&keep](const billing::State& state) { keep = billing::EventsStateRestsOn(state); });
  util::StatusOr<int64_t> deleted = ctx.options.store->CleanupEvents(before_us, keep);
  if (!deleted.ok()) return ErrorFor(deleted.status());
  util::LogInfo("admin cleanup").Int("older_than_seconds", *older_than).Int("deleted", *deleted);
  return JsonOk(boost::json::object{{"object", "cleanup"},
                                    {"older_than_seconds", *older_than},
                                    {"received_before", before_us / 1'000'000},
                                    {"deleted", *deleted}});
}

}  // namespace

void AddStatsRoutes(http::Router& router, AdminAuth& auth, AdminContext* ctx) {
  AddBlockingRoute(router, auth, ctx, "GET", "/admin/stats", Stats);
  AddBlockingRoute(router, auth, ctx, "POST", "/admin/cleanup", Cleanup);
}

}  // namespace stripehook::admin::internal
