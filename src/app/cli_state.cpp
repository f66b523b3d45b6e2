// Commands over the billing state: rebuild, access, events retry.
#include <boost/json.hpp>
#include <iostream>

#include "app/cli_commands.h"
#include "app/config.h"
#include "app/config_billing.h"
#include "app/store_factory.h"
#include "billing/access.h"
#include "billing/serialization.h"
#include "pipeline/rebuild.h"
#include "util/clock.h"
#include "util/log.h"

namespace stripehook::app {

std::optional<Opened> OpenForCli(const CommonOptions& common, const char* command) {
  util::SetMinLogLevel(util::LogLevel::kWarn);
  // These commands read or repair the store and verify no signature: no webhook secret needed.
  util::StatusOr<Config> config =
      LoadConfig(common.config_path, ProcessEnvironment(), ConfigUse::kOffline);
  if (!config.ok()) {
    std::cerr << "stripehook " << command << ": configuration error: " << config.status().message()
              << "\n";
    return std::nullopt;
  }
  util::StatusOr<billing::Config> billing = DecodeBillingConfig(*config);
  if (!billing.ok()) {
    std::cerr << "stripehook " << command << ": configuration error: " << billing.status().message()
              << "\n";
    return std::nullopt;
  }
  util::StatusOr<std::unique_ptr<store::Store>> store =
      OpenStore(*config, &util::SystemClock::Default());
  if (!store.ok()) {
    std::cerr << "stripehook " << command << ": cannot open the store: " << store.status().message()
              << "\n";
    return std::nullopt;
  }
  return Opened{std::move(config).value(), std::move(billing).value(), std::move(store).value()};
}

int RunRebuild(const CommonOptions& common) {
  std::optional<Opened> opened = OpenForCli(common, "rebuild");
  if (!opened) return 2;
  util::StatusOr<billing::State> live = pipeline::LoadLiveState(*opened->store);
  util::StatusOr<pipeline::RebuildResult> rebuilt =
      pipeline::RebuildState(*opened->store, opened->billing);
  opened->store->Shutdown();
  if (!live.ok() || !rebuilt.ok()) {
    std::cerr << "stripehook rebuild: " << (live.ok() ? rebuilt.status() : live.status()).message()
              << "\n";
    return 1;
  }
  std::vector<std::string> diff = pipeline::DiffStates(*live, rebuilt->state);
  std::cout << "replayed " << rebuilt->events_replayed
            << " events into a fresh state: " << rebuilt->state.record_count()
            << " records rebuilt, " << live->record_count() << " live\n";
  for (const std::string& line : diff) std::cout << "DIFF " << line << "\n";
  if (!diff.empty()) {
    std::cout << diff.size() << " difference(s)\n";
    return 1;
  }
  std::cout << "no difference\n";
  return 0;
}

int RunAccess(const CommonOptions& common, const std::string& user_id, const std::string& at) {
  std::optional<Opened> opened = OpenForCli(common, "access");
  if (!opened) return 2;
  int64_t now = util::SystemClock::Default().NowUnixSeconds();
  if (!at.empty()) {
    std::optional<int64_t> parsed = ParseTimeArg(at, now);
    if (!parsed) {
      std::cerr << "stripehook access: --at: cannot read time '" << at << "'\n";
      return 2;
    }
    now = *parsed;
  }
  util::StatusOr<billing::State> live = pipeline::LoadLiveState(*opened->store);
  opened->store->Shutdown();
  if (!live.ok()) {
    std::cerr << "stripehook access: " << live.status().message() << "\n";
    return 1;
  }
  billing::AccessDecision decision = billing::Access(user_id, *live, now, opened->billing);
  std::cout << billing::AccessJson(decision) << "\n";
  return 0;
}

int RunEventsRetry(const CommonOptions& common, const std::string& id, bool all_failed) {
  if (id.empty() == !all_failed) {
    std::cerr << "stripehook events retry: give an event id or --failed (not both)\n";
    return 2;
  }
  std::optional<Opened> opened = OpenForCli(common, "events retry");
  if (!opened) return 2;
  util::StatusOr<int64_t> requeued =
      opened->store->RequeueEvents(all_failed ? std::nullopt : std::optional<std::string>(id));
  opened->store->Shutdown();
  if (!requeued.ok()) {
    std::cerr << "stripehook events retry: " << requeued.status().message() << "\n";
    return 1;
  }
  std::cout << "re-queued " << *requeued << " event(s)\n";
  return 0;
}

}  // namespace stripehook::app
