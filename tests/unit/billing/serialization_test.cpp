// Records and states round-trip through their canonical JSON.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "billing/apply.h"
#include "billing/serialization.h"
#include "billing_test_util.h"
#include "support/status_matchers.h"
#include "support/test_paths.h"

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

// The obvious implementation (one boost::json::serialize per scalar and key), kept as the oracle:
// CanonicalJson must write exactly its bytes, or `stripehook rebuild` would report differences
// against rows written before.
void ReferenceCanonical(const boost::json::value& value, std::string& out) {
  if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const boost::json::value& element : value.get_array()) {
      if (!first) out += ',';
      first = false;
      ReferenceCanonical(element, out);
    }
    out += ']';
  } else if (value.is_object()) {
    std::vector<const boost::json::key_value_pair*> entries;
    for (const auto& entry : value.get_object()) entries.push_back(&entry);
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->key() < b->key(); });
    out += '{';
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += ',';
      out += boost::json::serialize(boost::json::value(entries[i]->key()));
      out += ':';
      ReferenceCanonical(entries[i]->value(), out);
    }
    out += '}';
  } else {
    out += boost::json::serialize(value);
  }
}

std::string Reference(const boost::json::value& value) {
  std::string out;
  ReferenceCanonical(value, out);
  return out;
}

TEST(SerializationTest, CanonicalJsonWritesWhatBoostJsonWritesForEveryStripeFixture) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(stripehook::testing::FixturesDir() +
                                                               "/stripe-openapi")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    boost::json::value value = boost::json::parse(text.str());
    EXPECT_EQ(CanonicalJson(value), Reference(value)) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST(SerializationTest, CanonicalJsonWritesWhatBoostJsonWritesForAwkwardValues) {
  boost::json::object many;  // more keys than the sort's inline buffer
  for (int i = 99; i >= 0; --i) many[std::to_string(i).append("k")] = i;
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  controls.append("\"\\/\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  std::string long_text(5000, 'x');
  long_text.push_back('"');
  long_text.append(300, '\n');
  const boost::json::value values[] = {
      boost::json::parse(R"({"b":1,"a":{"d":[{"z":1,"y":2}],"c":null}})"),
      boost::json::parse(R"([1.5,-0.0,1e300,2.2250738585072014e-308,0.1,100,true,false,null])"),
      boost::json::parse(R"({"big":18446744073709551615,"neg":-9223372036854775808,"e":1E2})"),
      boost::json::value(controls),
      boost::json::value(long_text),
      boost::json::object{{"", 1}, {"\"quoted\"", 2}, {"\x01", 3}, {"caf\xc3\xa9", 4}},
      many,
      boost::json::object{},
      boost::json::array{},
      boost::json::array{boost::json::object{}, boost::json::array{}, ""},
  };
  for (const boost::json::value& value : values) {
    EXPECT_EQ(CanonicalJson(value), Reference(value)) << Reference(value).substr(0, 80);
  }
  // Random keys and strings of every byte value below 0x80 in random nests.
  std::mt19937 rng(20261124);
  for (int round = 0; round < 200; ++round) {
    boost::json::object object;
    for (int k = 0; k < 40; ++k) {
      std::string key, text;
      for (int n = static_cast<int>(rng() % 12); n > 0; --n) key += static_cast<char>(rng() % 0x80);
      for (int n = static_cast<int>(rng() % 400); n > 0; --n)
        text += static_cast<char>(rng() % 0x80);
      object[key] = boost::json::array{text, static_cast<int64_t>(rng()), rng() % 2 == 0};
    }
    boost::json::value value(std::move(object));
    ASSERT_EQ(CanonicalJson(value), Reference(value)) << "round " << round;
  }
}

// The audit row the pipeline writes: CanonicalChangeJson must equal the plain
// CanonicalJson(ToJson(change)) for every change of every scenario (plan changes and deletions
// included), with and without the record's row text handed in.
TEST(SerializationTest, CanonicalChangeJsonEqualsCanonicalJsonOfTheChange) {
  int changes = 0, plan_changes = 0;
  for (const std::string& name : testing::ScenarioNames()) {
    testing::Scenario scenario = testing::LoadScenario(name);
    State state;
    for (const Event& e : scenario.events) {
      ApplyResult result = Apply(e, state, testing::CorpusConfig());
      for (const Change& change : result.changes) {
        const std::string expected = CanonicalJson(ToJson(change));
        std::optional<std::string> doc;
        if (change.after) doc = ToJson(*change.after);
        EXPECT_EQ(CanonicalChangeJson(change, doc), expected) << name << " " << change.key;
        EXPECT_EQ(CanonicalChangeJson(change, std::nullopt), expected) << name << " " << change.key;
        ++changes;
        plan_changes += change.plan_change ? 1 : 0;
      }
      Commit(state, result);
    }
  }
  EXPECT_GT(changes, 100);
  EXPECT_GT(plan_changes, 0);
  // The corpus erases no record: a change without `after` is made here.
  testing::Scenario scenario = testing::LoadScenario("a_checkout_new_subscription");
  ApplyResult result = Apply(scenario.events.front(), State(), testing::CorpusConfig());
  ASSERT_FALSE(result.changes.empty());
  Change erased = result.changes.front();
  erased.before = erased.after;
  erased.after.reset();
  EXPECT_EQ(CanonicalChangeJson(erased, std::nullopt), CanonicalJson(ToJson(erased)));
}

TEST(SerializationTest, RejectsUnknownTablesAndBadRows) {
  EXPECT_STATUS_CODE(RecordFromJson("nope", "{}"), kInvalidArgument);
  EXPECT_STATUS_CODE(RecordFromJson("customers", "{"), kInvalidArgument);
  EXPECT_STATUS_CODE(RecordFromJson("customers", R"({"id":5})"), kInvalidArgument);
  EXPECT_STATUS_CODE(StateFromJson(R"({"customers":[]})"), kInvalidArgument);
}

}  // namespace
}  // namespace stripehook::billing
