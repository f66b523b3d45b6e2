// Every scenario of tests/fixtures/lifecycles, delivered in file order: access after each event
// (at the checkpoint's now) and the final state match the expected file.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "billing/access.h"
#include "billing/apply.h"
#include "billing/retention.h"
#include "billing_test_util.h"

namespace stripehook::billing {
namespace {

using testing::CorpusConfig;
using testing::LoadScenario;
using testing::Scenario;

std::optional<std::string> OptString(const boost::json::value& v) {
  if (v.is_null()) return std::nullopt;
  return std::string(v.as_string());
}

// Compares a decision with an expected checkpoint ({subscription_status, plan, access, reason}).
void ExpectMatches(const AccessDecision& d, const boost::json::object& expected,
                   const std::string& where) {
  EXPECT_EQ(d.status, OptString(expected.at("subscription_status"))) << where;
  EXPECT_EQ(d.plan, OptString(expected.at("plan"))) << where;
  EXPECT_EQ(d.access, expected.at("access").as_bool()) << where;
  EXPECT_EQ(d.reason, expected.at("reason").as_string()) << where;
}

// access.changed is computed on a slice of the state: it must agree with Access() on the whole
// state, and appear exactly when the decision at event.created changed as the application sees it
// (its JSON: not which subscription it rests on).
void ExpectAccessNotification(const ApplyResult& result, const AccessDecision& before,
                              const AccessDecision& after, const std::string& where) {
  const Notification* found = nullptr;
  for (const Notification& n : result.notifications) {
    if (n.type == "access.changed" && n.user_id == after.user_id) found = &n;
  }
  if (ToJson(before) == ToJson(after)) {
    EXPECT_EQ(found, nullptr) << where;
    return;
  }
  ASSERT_NE(found, nullptr) << where;
  EXPECT_EQ(found->body.at("before").as_object(), ToJson(before)) << where;
  EXPECT_EQ(found->body.at("after").as_object(), ToJson(after)) << where;
}

class LifecycleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LifecycleTest, AccessAfterEachEventMatchesCheckpoint) {
  Scenario scenario = LoadScenario(GetParam());
  const Config config = CorpusConfig();
  const std::string user(scenario.expected.at("user_id").as_string());
  const auto& checkpoints = scenario.expected.at("after_each_event").as_array();
  ASSERT_EQ(checkpoints.size(), scenario.events.size());
  State state;
  for (size_t i = 0; i < scenario.events.size(); ++i) {
    const Event& event = scenario.events[i];
    const auto& checkpoint = checkpoints[i].as_object();
    ASSERT_EQ(event.id, checkpoint.at("event").as_string());
    const AccessDecision before = Access(user, state, event.created, config);
    ApplyResult result = Apply(event, state, config);
    EXPECT_EQ(result.outcome, Outcome::kApplied) << event.id << " " << result.error;
    Commit(state, result);
    ExpectAccessNotification(result, before, Access(user, state, event.created, config),
                             GetParam() + " " + event.id);
    AccessDecision d = Access(user, state, checkpoint.at("now").as_int64(), config);
    ExpectMatches(d, checkpoint, GetParam() + " after " + event.type + " " + event.id);
  }
}

TEST_P(LifecycleTest, FinalStateMatches) {
  Scenario scenario = LoadScenario(GetParam());
  const Config config = CorpusConfig();
  State state;
  for (const Event& event : scenario.events) testing::ApplyAndCommit(event, state, config);
  const auto& final_state = scenario.expected.at("final").as_object();
  AccessDecision d = Access(std::string(scenario.expected.at("user_id").as_string()), state,
                            final_state.at("now").as_int64(), config);
  ExpectMatches(d, final_state, GetParam() + " final");
  EXPECT_EQ(d.price, final_state.at("price").as_string());
  const Subscription* sub =
      state.Find<Subscription>(std::string(scenario.expected.at("subscription").as_string()));
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->customer, scenario.expected.at("customer").as_string());
  EXPECT_EQ(d.subscription_id, sub->id);
}

// What inbox cleanup keeps (the events the state rests on, plus every customer.deleted) is
// enough: replaying only those gives exactly the state that every event gave, so `stripehook
// rebuild` after a cleanup agrees with the live state.
size_t ReplayOnlyWhatStateRestsOn(const std::string& name) {
  Scenario scenario = LoadScenario(name);
  const Config config = CorpusConfig();
  State full;
  for (const Event& event : scenario.events) testing::ApplyAndCommit(event, full, config);
  const std::set<std::string> kept_ids = EventsStateRestsOn(full);
  State kept;
  size_t replayed = 0;
  for (const Event& event : scenario.events) {
    if (!kept_ids.count(event.id) && event.type != "customer.deleted") continue;
    testing::ApplyAndCommit(event, kept, config);
    ++replayed;
  }
  EXPECT_TRUE(kept == full) << name;
  return scenario.events.size() - replayed;
}

TEST_P(LifecycleTest, ReplayingOnlyTheEventsStateRestsOnGivesTheSameState) {
  ReplayOnlyWhatStateRestsOn(GetParam());
}

// The property above is not vacuous: across the corpus, cleanup would drop many events.
TEST(RetentionTest, CleanupWouldDropEventsAcrossTheCorpus) {
  size_t dropped = 0;
  for (const std::string& name : testing::ScenarioNames())
    dropped += ReplayOnlyWhatStateRestsOn(name);
  EXPECT_GT(dropped, 20u);
}

INSTANTIATE_TEST_SUITE_P(Corpus, LifecycleTest, ::testing::ValuesIn(testing::ScenarioNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stripehook::billing
