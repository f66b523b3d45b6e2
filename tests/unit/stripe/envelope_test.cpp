#include "stripe/envelope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>

#include "support/status_matchers.h"
#include "support/test_paths.h"
#include "test_util.h"

namespace stripehook::stripe {
namespace {

using ::testing::HasSubstr;

constexpr char kEvent[] = R"({
  "id": "evt_1",
  "object": "event",
  "api_version": "2026-07-29.dahlia",
  "created": 1788256801,
  "livemode": true,
  "account": "acct_9",
  "type": "invoice.paid",
  "data": {"object": {"id": "in_1", "object": "invoice", "amount_paid": 8900}}
})";

// kEvent re-serialized after `edit` changes its tree.
template <typename Edit>
std::string EditedEvent(Edit edit) {
  boost::json::value v = boost::json::parse(kEvent);
  edit(v.as_object());
  return boost::json::serialize(v);
}

std::string ErrorOf(std::string_view body) {
  util::StatusOr<EventEnvelope> e = ParseEventEnvelope(body);
  EXPECT_FALSE(e.ok()) << body;
  if (e.ok()) return "";
  EXPECT_EQ(e.status().code(), util::StatusCode::kInvalidArgument);
  return e.status().message();
}

TEST(ParseEventEnvelopeTest, ReadsEveryField) {
  ASSERT_OK_AND_ASSIGN(EventEnvelope e, ParseEventEnvelope(kEvent));
  EXPECT_EQ(e.id, "evt_1");
  EXPECT_EQ(e.type, "invoice.paid");
  EXPECT_EQ(e.created, 1788256801);
  EXPECT_TRUE(e.livemode);
  EXPECT_EQ(e.api_version, "2026-07-29.dahlia");
  EXPECT_EQ(e.account, "acct_9");
  EXPECT_EQ(e.object_id, "in_1");
  EXPECT_EQ(e.object_type, "invoice");
}

TEST(ParseEventEnvelopeTest, OptionalFields) {
  std::string body = EditedEvent([](boost::json::object& o) {
    o["api_version"] = nullptr;
    o.erase("account");
    o.erase("livemode");
    o["data"].as_object()["object"].as_object().erase("id");
  });
  ASSERT_OK_AND_ASSIGN(EventEnvelope e, ParseEventEnvelope(body));
  EXPECT_FALSE(e.api_version.has_value());
  EXPECT_FALSE(e.account.has_value());
  EXPECT_FALSE(e.livemode);
  EXPECT_EQ(e.object_id, "");
  EXPECT_EQ(e.object_type, "invoice");
}

TEST(ParseEventEnvelopeTest, EachMissingFieldIsNamed) {
  for (const char* field : {"id", "type", "created", "data", "object"}) {
    std::string body = EditedEvent([&](boost::json::object& o) { o.erase(field); });
    EXPECT_EQ(ErrorOf(body), std::string("missing field '") + field + "'");
  }
  std::string no_object = EditedEvent([](boost::json::object& o) { o["data"] = {{"x", 1}}; });
  EXPECT_EQ(ErrorOf(no_object), "missing field 'data.object'");
}

TEST(ParseEventEnvelopeTest, MistypedFieldsAreNamed) {
  auto with = [](const char* key, boost::json::value v) {
    return EditedEvent([&](boost::json::object& o) { o[key] = v; });
  };
  EXPECT_EQ(ErrorOf(with("created", "1788256801")), "'created' must be an integer");
  EXPECT_EQ(ErrorOf(with("created", 1.5)),
            "'created' must be an integer (Unix seconds) that fits in 64 bits");
  EXPECT_EQ(ErrorOf(with("id", 7)), "'id' must be a string");
  EXPECT_EQ(ErrorOf(with("id", "")), "'id' must be a non-empty string");
  EXPECT_EQ(ErrorOf(with("type", nullptr)), "'type' must be a string");
  EXPECT_EQ(ErrorOf(with("data", boost::json::array{})), "'data' must be an object");
  EXPECT_EQ(ErrorOf(with("data", {{"object", "in_1"}})), "'data.object' must be an object");
  EXPECT_EQ(ErrorOf(with("livemode", "false")), "'livemode' must be a boolean");
  EXPECT_EQ(ErrorOf(with("api_version", 3)), "'api_version' must be a string or null");
}

TEST(ParseEventEnvelopeTest, NotAnEvent) {
  std::string customer = EditedEvent([](boost::json::object& o) { o["object"] = "customer"; });
  EXPECT_EQ(ErrorOf(customer), "'object' must be \"event\" (got \"customer\")");
  std::string thin = EditedEvent([](boost::json::object& o) { o["object"] = "v2.core.event"; });
  EXPECT_THAT(ErrorOf(thin), HasSubstr("v2.core.event"));
  std::string huge =
      EditedEvent([](boost::json::object& o) { o["object"] = std::string(5000, 'x'); });
  EXPECT_EQ(ErrorOf(huge), "'object' must be \"event\" (got \"" + std::string(40, 'x') + "...\")");
  EXPECT_THAT(ErrorOf("[1,2]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(ErrorOf("\"evt\""), HasSubstr("must be a JSON object"));
  EXPECT_THAT(ErrorOf("null"), HasSubstr("must be a JSON object"));
}

TEST(ParseEventEnvelopeTest, NotJson) {
  for (const char* body : {"", "hello world", "{", "{\"id\": }", "{} {}", "{\"a\":1,}"}) {
    EXPECT_THAT(ErrorOf(body), HasSubstr("not valid JSON")) << body;
  }
  EXPECT_THAT(ErrorOf(""), HasSubstr("empty"));
  EXPECT_THAT(ErrorOf(std::string(kEvent) + " x"), HasSubstr("not valid JSON"));
  EXPECT_THAT(ErrorOf(std::string(kEvent) + "{}"), HasSubstr("not valid JSON"));
  EXPECT_OK(ParseEventEnvelope(std::string(kEvent) + "\n  "));  // trailing whitespace is JSON
}

TEST(ParseEventEnvelopeTest, BomAndInvalidUtf8AreNotJson) {
  std::string body = kEvent;
  EXPECT_THAT(ErrorOf("\xEF\xBB\xBF" + body), HasSubstr("byte order mark"));
  std::string latin1 = EditedEvent([](boost::json::object& o) { o["type"] = "caf_"; });
  latin1[latin1.find("caf_") + 3] = '\xE9';  // "café" in Latin-1
  EXPECT_THAT(ErrorOf(latin1), HasSubstr("not valid UTF-8"));
}

TEST(ParseEventEnvelopeTest, DeepNestingIsRejectedNotACrash) {
  for (size_t depth : {65u, 1000u, 200000u}) {
    std::string body = std::string(depth, '[') + std::string(depth, ']');
    EXPECT_THAT(ErrorOf(body), HasSubstr("nesting deeper than 64")) << depth;
  }
  // 64 levels is fine JSON, just not an event.
  EXPECT_THAT(ErrorOf(std::string(64, '[') + std::string(64, ']')),
              HasSubstr("must be a JSON object"));
}

TEST(ParseEventEnvelopeTest, OnlyTheRightLevelsAreRead) {
  // Nested "id"/"object"/"data" members elsewhere must not be taken for the envelope's.
  std::string body = R"({"request": {"id": "req_x", "object": "x"}, "id": "evt_1",
    "data": {"previous_attributes": {"object": {"id": "old"}},
             "object": {"items": [{"id": "si_1", "object": "item"}], "id": "sub_1",
                        "object": "subscription", "meta": {"id": "m", "object": "m"}}},
    "object": "event", "type": "customer.subscription.updated", "created": 5,
    "x": {"data": {"object": {"id": "nope"}}, "type": 1, "created": "no"}})";
  ASSERT_OK_AND_ASSIGN(EventEnvelope e, ParseEventEnvelope(body));
  EXPECT_EQ(e.id, "evt_1");
  EXPECT_EQ(e.type, "customer.subscription.updated");
  EXPECT_EQ(e.created, 5);
  EXPECT_EQ(e.object_id, "sub_1");
  EXPECT_EQ(e.object_type, "subscription");
}

TEST(ParseEventEnvelopeTest, EscapedKeysAndValuesAreUnescaped) {
  std::string body = R"({"\u0069d": "evt_\u00e9\n1", "object": "ev\u0065nt", "t\u0079pe": "a\"b",
    "created": 1, "data": {"object": {"id": "cus_\ud83c\udf89", "object": "customer"}}})";
  ASSERT_OK_AND_ASSIGN(EventEnvelope e, ParseEventEnvelope(body));
  EXPECT_EQ(e.id, "evt_\xC3\xA9\n1");
  EXPECT_EQ(e.type, "a\"b");
  EXPECT_EQ(e.object_id, "cus_\xF0\x9F\x8E\x89");
}

TEST(ParseEventEnvelopeTest, DuplicateKeysLastWins) {
  ASSERT_OK_AND_ASSIGN(
      EventEnvelope e,
      ParseEventEnvelope(R"({"id": 1, "id": "evt_2", "object": "event", "type": "t",
    "created": 1, "data": {"object": {}}})"));
  EXPECT_EQ(e.id, "evt_2");
}

TEST(ParseEventEnvelopeTest, LargeEventsParse) {
  std::string body = EditedEvent([](boost::json::object& o) {
    o["data"].as_object()["object"].as_object()["blob"] = std::string(200000, 'x');
  });
  ASSERT_OK_AND_ASSIGN(EventEnvelope e, ParseEventEnvelope(body));
  EXPECT_EQ(e.object_id, "in_1");
}

TEST(ParseEventEnvelopeTest, EveryLifecycleFixtureEventParses) {
  size_t events = 0;
  auto dir = std::filesystem::path(::stripehook::testing::FixturesDir()) / "lifecycles";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    std::istringstream lines(testing::ReadFile(entry.path().string()));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      SCOPED_TRACE(entry.path().filename().string());
      ASSERT_OK_AND_ASSIGN(EventEnvelope e, ParseEventEnvelope(line));
      boost::json::object o = boost::json::parse(line).as_object();
      EXPECT_EQ(e.id, o.at("id").as_string());
      EXPECT_EQ(e.type, o.at("type").as_string());
      EXPECT_EQ(e.created, o.at("created").as_int64());
      EXPECT_EQ(e.object_id, o.at("data").at("object").at("id").as_string());
      EXPECT_EQ(e.object_type, o.at("data").at("object").at("object").as_string());
      ++events;
    }
  }
  EXPECT_GE(events, 121u);  // lifecycles/README.md: 16 scenarios, 121 events (123 on disk)
}

TEST(ParseEventEnvelopeTest, StripeSampleEventWithNullApiVersion) {
  std::string body =
      testing::ReadFile(::stripehook::testing::FixturesDir() + "/stripe-openapi/event.json");
  ASSERT_FALSE(body.empty());
  ASSERT_OK_AND_ASSIGN(EventEnvelope e, ParseEventEnvelope(body));
  EXPECT_FALSE(e.api_version.has_value());
}

}  // namespace
}  // namespace stripehook::stripe
