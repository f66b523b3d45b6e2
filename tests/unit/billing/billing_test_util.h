#pragma once

// Helpers shared by the billing tests: the catalogue the lifecycle corpus uses, the corpus
// loader, and builders for synthetic events.

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "billing/apply.h"
#include "billing/config.h"
#include "billing/event.h"
#include "support/test_paths.h"

namespace stripehook::billing::testing {

// price_pro / price_team / price_enterprise as in tests/fixtures/lifecycles/README.md.
inline Config CorpusConfig() {
  Config config;
  config.plans["pro"] = Plan{"pro", {"price_pro"}, {"export"}, {{"seats", 5}, {"projects", 20}}};
  config.plans["team"] =
      Plan{"team", {"price_team"}, {"export", "sso"}, {{"seats", 25}, {"projects", 100}}};
  config.plans["enterprise"] = Plan{"enterprise",
                                    {"price_enterprise"},
                                    {"export", "sso", "audit"},
                                    {{"seats", 500}, {"projects", 1000}}};
  return config;
}

inline std::string LifecyclesDir() { return stripehook::testing::FixturesDir() + "/lifecycles"; }

inline const std::vector<std::string>& ScenarioNames() {
  static const std::vector<std::string> kNames = {
      "a_checkout_new_subscription",
      "b_trial_to_active",
      "c_payment_failed_then_recovered",
      "d1_past_due_to_unpaid",
      "d2_past_due_to_canceled",
      "e_upgrade_pro_to_team_proration",
      "f_cancel_at_period_end",
      "g1_refund_full_and_cancel",
      "g2_refund_partial",
      "g3_refund_full_only",
      "h_dispute_created",
      "i_customer_deleted",
      "j1_payment_action_required_3ds",
      "j2_payment_action_required_3ds_completed",
      "k1_marked_uncollectible_by_dunning",
      "k2_marked_uncollectible_manually",
  };
  return kNames;
}

struct Scenario {
  std::string name;
  std::vector<Event> events;
  boost::json::object expected;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Loads <name>.jsonl and <name>.expected.json; fails the test on a parse error.
inline Scenario LoadScenario(const std::string& name) {
  Scenario scenario;
  scenario.name = name;
  std::ifstream in(LifecyclesDir() + "/" + name + ".jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto event = ParseEvent(line);
    EXPECT_TRUE(event.ok()) << name << ": " << event.status().ToString();
    if (event.ok()) scenario.events.push_back(*event);
  }
  boost::json::value expected =
      boost::json::parse(ReadFile(LifecyclesDir() + "/" + name + ".expected.json"));
  scenario.expected = expected.as_object();
  return scenario;
}

// Applies and commits; returns the outcome.
inline Outcome ApplyAndCommit(const Event& event, State& state, const Config& config) {
  ApplyResult result = Apply(event, state, config);
  Commit(state, result);
  return result.outcome;
}

// A synthetic event envelope around `object`.
inline Event MakeEvent(const std::string& id, const std::string& type, int64_t created,
                       boost::json::object object) {
  boost::json::object envelope{{"id", id},          {"object", "event"},
                               {"type", type},      {"created", created},
                               {"livemode", false}, {"api_version", "2026-07-29.dahlia"}};
  envelope["data"] = boost::json::object{{"object", std::move(object)}};
  auto event = EventFromJson(envelope);
  EXPECT_TRUE(event.ok()) << event.status().ToString();
  return *event;
}

inline boost::json::object CustomerObject(const std::string& id, const std::string& user) {
  return {{"id", id},
          {"object", "customer"},
          {"email", user + "@example.com"},
          {"created", 100},
          {"metadata", boost::json::object{{"user_id", user}}}};
}

inline boost::json::object SubscriptionObject(const std::string& id, const std::string& customer,
                                              const std::string& status, const std::string& price,
                                              int64_t period_start, int64_t period_end) {
  boost::json::object item{{"id", "si_" + id},
                           {"object", "subscription_item"},
                           {"price", boost::json::object{{"id", price}, {"product", "prod"}}},
                           {"quantity", 1},
                           {"current_period_start", period_start},
                           {"current_period_end", period_end}};
  return {{"id", id},
          {"object", "subscription"},
          {"customer", customer},
          {"status", status},
          {"created", period_start},
          {"cancel_at_period_end", false},
          {"items", boost::json::object{{"data", boost::json::array{item}}}}};
}

inline boost::json::object ChargeObject(const std::string& id, const std::string& customer,
                                        int64_t amount, int64_t refunded, int64_t created) {
  return {{"id", id},
          {"object", "charge"},
          {"customer", customer},
          {"status", "succeeded"},
          {"amount", amount},
          {"amount_refunded", refunded},
          {"refunded", refunded >= amount},
          {"disputed", false},
          {"created", created},
          {"payment_intent", "pi_" + id}};
}

inline boost::json::object DisputeObject(const std::string& id, const std::string& charge,
                                         const std::string& status) {
  return {{"id", id},       {"object", "dispute"},    {"charge", charge}, {"status", status},
          {"amount", 1000}, {"reason", "fraudulent"}, {"created", 500}};
}

inline boost::json::object InvoiceObject(const std::string& id, const std::string& customer,
                                         const std::string& sub, const std::string& status,
                                         int64_t attempt_count) {
  boost::json::object parent{{"subscription_details", boost::json::object{{"subscription", sub}}}};
  return {{"id", id},
          {"object", "invoice"},
          {"customer", customer},
          {"status", status},
          {"amount_due", 1000},
          {"amount_paid", status == "paid" ? 1000 : 0},
          {"attempt_count", attempt_count},
          {"hosted_invoice_url", "https://invoice.stripe.com/i/" + id},
          {"created", 100},
          {"parent", parent}};
}

}  // namespace stripehook::billing::testing
