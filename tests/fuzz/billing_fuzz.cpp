// libFuzzer target: billing::ParseEvent + billing::Apply on arbitrary JSON. The input is one
// event per line (the lifecycle fixtures are the seeds). Checks the core's promises: no crash
// on any payload, duplicates change nothing (applying every event a second time leaves the same
// state), and the state survives its own serialization (what `rebuild` and the store rely on).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "billing/apply.h"
#include "billing/config.h"
#include "billing/event.h"
#include "billing/serialization.h"
#include "billing/state.h"
#include "util/check.h"

namespace {

using namespace stripehook;

std::vector<billing::Event> ParseLines(std::string_view input) {
  std::vector<billing::Event> events;
  while (!input.empty() && events.size() < 64) {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? "" : input.substr(end + 1);
    auto event = billing::ParseEvent(line);
    if (event.ok()) events.push_back(std::move(*event));
  }
  return events;
}

void ApplyAll(const std::vector<billing::Event>& events, const billing::Config& config,
              billing::State& state) {
  for (const billing::Event& event : events) {
    billing::ApplyResult result = billing::Apply(event, state, config);
    if (result.outcome == billing::Outcome::kError) SH_CHECK(result.changes.empty());
    billing::Commit(state, result);
  }
}

billing::Config FuzzConfig() {
  billing::Config config;
  billing::Plan pro;
  pro.name = "pro";
  pro.prices = {"price_pro_monthly", "price_1PgafmB7WZ01zgkW6dKueIc5"};
  pro.limits = {{"projects", 10}};
  config.plans["pro"] = pro;
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const billing::Config config = FuzzConfig();
  std::vector<billing::Event> events =
      ParseLines(std::string_view(reinterpret_cast<const char*>(data), size));
  billing::State state;
  ApplyAll(events, config, state);
  std::string once = billing::ToJson(state);
  ApplyAll(events, config, state);
  SH_CHECK(billing::ToJson(state) == once);
  auto restored = billing::StateFromJson(once);
  SH_CHECK(restored.ok());
  SH_CHECK(billing::ToJson(*restored) == once);
  return 0;
}
