// Property: for every scenario, 200 random delivery orders with random duplicates end in exactly
// the state of in-order delivery (seed printed on failure), and replaying the log from scratch
// (rebuild) gives exactly the state incremental processing gave.

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "billing/access.h"
#include "billing/apply.h"
#include "billing/serialization.h"
#include "billing_test_util.h"

namespace stripehook::billing {
namespace {

using testing::CorpusConfig;
using testing::LoadScenario;
using testing::Scenario;

constexpr int kOrdersPerScenario = 200;

// FNV-1a, so a printed seed reproduces on any standard library.
uint64_t StableHash(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

State ApplyAll(const std::vector<Event>& events, const Config& config) {
  State state;
  for (const Event& event : events) testing::ApplyAndCommit(event, state, config);
  return state;
}

// A shuffled delivery where about a third of the events arrive twice.
std::vector<Event> RandomDelivery(const std::vector<Event>& events, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Event> delivery = events;
  std::bernoulli_distribution duplicate(0.3);
  for (const Event& event : events) {
    if (duplicate(rng)) delivery.push_back(event);
  }
  std::shuffle(delivery.begin(), delivery.end(), rng);
  return delivery;
}

class OrderingPropertyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OrderingPropertyTest, AnyOrderWithDuplicatesConvergesToInOrderState) {
  Scenario scenario = LoadScenario(GetParam());
  const Config config = CorpusConfig();
  const State expected = ApplyAll(scenario.events, config);
  const std::string expected_json = ToJson(expected);
  const auto& final_state = scenario.expected.at("final").as_object();
  const std::string user(scenario.expected.at("user_id").as_string());
  const int64_t now = final_state.at("now").as_int64();
  const uint64_t base_seed = StableHash(GetParam());
  for (int i = 0; i < kOrdersPerScenario; ++i) {
    const uint64_t seed = base_seed + static_cast<uint64_t>(i);
    const State state = ApplyAll(RandomDelivery(scenario.events, seed), config);
    ASSERT_TRUE(state == expected) << GetParam() << " seed=" << seed << "\nexpected "
                                   << expected_json << "\nactual   " << ToJson(state);
    AccessDecision d = Access(user, state, now, config);
    ASSERT_EQ(d.access, final_state.at("access").as_bool()) << GetParam() << " seed=" << seed;
    ASSERT_EQ(d.reason, final_state.at("reason").as_string()) << GetParam() << " seed=" << seed;
  }
}

TEST_P(OrderingPropertyTest, RebuildFromLogEqualsIncremental) {
  Scenario scenario = LoadScenario(GetParam());
  const Config config = CorpusConfig();
  // Incremental: a shuffled, duplicated delivery, committed event by event.
  const std::vector<Event> delivery = RandomDelivery(scenario.events, 7);
  const State incremental = ApplyAll(delivery, config);
  // Rebuild: the log holds each event once, in the order it was received.
  std::vector<Event> log;
  for (const Event& event : delivery) {
    bool seen =
        std::any_of(log.begin(), log.end(), [&](const Event& e) { return e.id == event.id; });
    if (!seen) log.push_back(event);
  }
  const State rebuilt = ApplyAll(log, config);
  EXPECT_TRUE(rebuilt == incremental);
  EXPECT_EQ(ToJson(rebuilt), ToJson(incremental));
}

INSTANTIATE_TEST_SUITE_P(Corpus, OrderingPropertyTest,
                         ::testing::ValuesIn(testing::ScenarioNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stripehook::billing
