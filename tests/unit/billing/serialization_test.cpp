// Records and states round-trip through their canonical JSON.

#include <gtest/gtest.h>

#include "billing/serialization.h"
#include "billing_test_util.h"
#include "support/status_matchers.h"

namespace stripehook::billing {
namespace {

State CorpusState(const std::string& name) {
  testing::Scenario scenario = testing::LoadScenario(name);
  State state;
  for (const Event& e : scenario.events) testing::ApplyAndCommit(e, state, testing::CorpusConfig());
  return state;
}

TEST(SerializationTest, StateRoundTripsExactly) {
  for (const std::string& name : testing::ScenarioNames()) {
    State state = CorpusState(name);
    std::string json = ToJson(state);
    ASSERT_OK_AND_ASSIGN(State back, StateFromJson(json));
    EXPECT_TRUE(back == state) << name;
    EXPECT_EQ(ToJson(back), json) << name;
  }
}

TEST(SerializationTest, EveryRecordRoundTripsThroughItsTable) {
  State state = CorpusState("h_dispute_created");
  int records = 0;
  auto check = [&records](const auto& table) {
    for (const auto& [key, record] : table) {
      Record r(record);
      ASSERT_OK_AND_ASSIGN(Record back, RecordFromJson(TableOf(r), ToJson(r)));
      EXPECT_TRUE(back == r) << key;
      ++records;
    }
  };
  check(state.table<Customer>());
  check(state.table<Subscription>());
  check(state.table<Invoice>());
  check(state.table<PaymentIntent>());
  check(state.table<Charge>());
  check(state.table<Dispute>());
  EXPECT_EQ(records, static_cast<int>(state.record_count()));
}

TEST(SerializationTest, CanonicalJsonSortsKeys) {
  boost::json::value v = boost::json::parse(R"({"b":1,"a":{"d":[{"z":1,"y":2}],"c":null}})");
  EXPECT_EQ(CanonicalJson(v), R"({"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1})");
}

TEST(SerializationTest, RejectsUnknownTablesAndBadRows) {
  EXPECT_STATUS_CODE(RecordFromJson("nope", "{}"), kInvalidArgument);
  EXPECT_STATUS_CODE(RecordFromJson("customers", "{"), kInvalidArgument);
  EXPECT_STATUS_CODE(RecordFromJson("customers", R"({"id":5})"), kInvalidArgument);
  EXPECT_STATUS_CODE(StateFromJson(R"({"customers":[]})"), kInvalidArgument);
}

}  // namespace
}  // namespace stripehook::billing
