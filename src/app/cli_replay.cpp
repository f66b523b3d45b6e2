// `stripehook replay`: fetch missed events from GET /v1/events into the inbox (backfill).
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/cli_commands.h"
#include "app/cli_replay.h"
#include "app/service.h"
#include "reconcile/backfill.h"
#include "util/clock.h"

namespace stripehook::app {

namespace {

struct ReplayOptions {
  std::string since;
  std::vector<std::string> types;
  int64_t window_seconds = 2 * 3600;
};

void PrintReport(const reconcile::BackfillReport& r) {
  std::cout << "replay since " << r.since << ": " << r.fetched << " event(s) listed by Stripe, "
            << r.inserted << " missing and inserted, " << r.duplicates << " already stored";
  if (r.invalid > 0) std::cout << ", " << r.invalid << " unusable";
  std::cout << "\n";
  if (r.oldest_missing_created) {
    std::cout << "oldest missing event created at " << *r.oldest_missing_created << "\n";
  }
  if (r.retention_warning) std::cerr << "warning: " << *r.retention_warning << "\n";
}

int RunReplay(const CommonOptions& common, const ReplayOptions& options) {
  const util::Clock& clock = util::SystemClock::Default();
  reconcile::BackfillOptions backfill;
  if (!options.since.empty()) {
    backfill.since = ParseTimeArg(options.since, clock.NowUnixSeconds());
    if (!backfill.since) {
      std::cerr << "stripehook replay: --since: cannot read time '" << options.since << "'\n";
      return 2;
    }
  }
  backfill.event_types = options.types;
  backfill.safety_window_seconds = options.window_seconds;
  std::optional<Opened> opened = OpenForCli(common, "replay");
  if (!opened) return 2;
  if (opened->config.stripe.secret_key.empty()) {
    std::cerr << "stripehook replay: no Stripe key (STRIPE_SECRET_KEY or [stripe] secret_key)\n";
    opened->store->Shutdown();
    return 2;
  }
  util::StatusOr<std::shared_ptr<stripe::StripeClient>> client =
      MakeStripeClient(opened->config.stripe);
  util::StatusOr<reconcile::BackfillReport> report =
      client.ok() ? reconcile::RunBackfill(**client, *opened->store, clock, backfill)
                  : util::StatusOr<reconcile::BackfillReport>(client.status());
  opened->store->Shutdown();
  if (!report.ok()) {
    std::cerr << "stripehook replay: " << report.status().message() << "\n";
    return 1;
  }
  PrintReport(*report);
  return 0;
}

}  // namespace

void AddReplayCommand(CLI::App& app, CommonOptions& common, int& code) {
  auto options = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Fetch missed events from Stripe (GET /v1/events) into the inbox");
  cmd->add_option("--since", options->since,
                  "From this time (unix, ISO 8601, or 24h/7d ago); default: newest stored event "
                  "minus --window");
  cmd->add_option("--type", options->types, "Only this event type (repeatable)");
  cmd->add_option("--window", options->window_seconds,
                  "Safety window in seconds before the newest stored event (default 7200)");
  cmd->callback([&common, &code, options] { code = RunReplay(common, *options); });
}

}  // namespace stripehook::app
