// The command line: sign, verify, send, migrate, events list/show; store commands without a secret.
#include <gtest/gtest.h>

#include <fstream>

#include "integration/ingest_harness.h"

namespace stripehook::testing {
namespace {

TEST(CliTest, SignProducesAHeaderThatVerifyAccepts) {
  TempDir dir;
  std::string body = EventBody("evt_cli_sign");
  std::ofstream(dir.File("body.json"), std::ios::binary) << body;
  auto [code, header] = RunStripehook(
      {"sign", "--secret", kSecret, "--timestamp", "1763802000", dir.File("body.json")}, {});
  ASSERT_EQ(code, 0) << header;
  while (!header.empty() && header.back() == '\n') header.pop_back();
  EXPECT_EQ(header, stripe::SignatureHeaderFor(kSecret, 1763802000, body));

  auto [ok_code, ok_out] = RunStripehook({"verify", "--secret", kSecret, "--header", header,
                                          "--now", "1763802010", dir.File("body.json")},
                                         {});
  EXPECT_EQ(ok_code, 0) << ok_out;
  EXPECT_NE(ok_out.find("OK"), std::string::npos) << ok_out;
}

TEST(CliTest, VerifyExplainsWhy) {
  TempDir dir;
  std::string body = EventBody("evt_cli_verify");
  std::string header = stripe::SignatureHeaderFor(kSecret, 1763802000, body);
  std::ofstream(dir.File("newline.json"), std::ios::binary) << body << "\n";
  auto [code, out] = RunStripehook({"verify", "--secret", kSecret, "--header", header, "--now",
                                    "1763802000", dir.File("newline.json")},
                                   {});
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("newline"), std::string::npos) << out;

  std::ofstream(dir.File("body.json"), std::ios::binary) << body;
  auto [old_code, old_out] = RunStripehook({"verify", "--secret", kSecret, "--header", header,
                                            "--now", "1763802412", dir.File("body.json")},
                                           {});
  EXPECT_EQ(old_code, 1);
  EXPECT_NE(old_out.find("112"), std::string::npos) << "too old by 112 s: " << old_out;

  auto [none_code, none_out] = RunStripehook(
      {"verify", "--secret", kSecret, "--header", "v1=abc", dir.File("body.json")}, {});
  EXPECT_EQ(none_code, 1);
  EXPECT_NE(none_out.find("t"), std::string::npos) << none_out;
}

TEST(CliTest, SendPostsEveryLineThenEventsListAndShowReadThem) {
  ServerFixture fx;
  ASSERT_TRUE(fx.Start());
  std::string jsonl;
  for (int i = 0; i < 3; ++i) {
    std::string line = EventBody("evt_cli_send_" + std::to_string(i), 1763802000 + i, 100);
    line.erase(std::remove(line.begin(), line.end(), '\n'), line.end());
    jsonl += line + "\n";
  }
  std::ofstream(fx.dir.File("events.jsonl")) << jsonl;
  std::string url = "http://127.0.0.1:" + std::to_string(fx.port()) + "/webhooks/stripe";
  auto [code, out] =
      RunStripehook({"send", "--url", url, "--secret", kSecret, fx.dir.File("events.jsonl")}, {});
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(DbReader(fx.db_path).Count(), 3);

  auto [list_code, list] = RunStripehook({"events", "list", "--type", "invoice.paid"}, fx.env);
  EXPECT_EQ(list_code, 0) << list;
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(list.find("evt_cli_send_" + std::to_string(i)), std::string::npos) << list;
  }
  auto [show_code, shown] = RunStripehook({"events", "show", "evt_cli_send_1"}, fx.env);
  EXPECT_EQ(show_code, 0) << shown;
  EXPECT_NE(shown.find("\"payload\":{"), std::string::npos) << shown;

  auto [bad_code, bad] = RunStripehook({"events", "list", "--status", "weird"}, fx.env);
  EXPECT_EQ(bad_code, 2);
  EXPECT_NE(bad.find("--status"), std::string::npos) << bad;
  auto [missing_code, missing] = RunStripehook({"events", "show", "evt_nope"}, fx.env);
  EXPECT_EQ(missing_code, 1);
  EXPECT_EQ(fx.server->Terminate(), 0);
}

TEST(CliTest, MigrateIsIdempotent) {
  TempDir dir;
  std::map<std::string, std::string> env{{"DATABASE_URL", "sqlite://" + dir.File("m.db")},
                                         {"STRIPE_WEBHOOK_SECRET", kSecret}};
  EXPECT_EQ(RunStripehook({"migrate"}, env).first, 0);
  EXPECT_EQ(RunStripehook({"migrate"}, env).first, 0);
  EXPECT_EQ(DbReader(dir.File("m.db")).Count(), 0);
}

// An operator migrating or reading the store needs no webhook secret; serving does.
TEST(CliTest, StoreCommandsRunWithoutAWebhookSecret) {
  TempDir dir;
  std::map<std::string, std::string> env{{"DATABASE_URL", "sqlite://" + dir.File("n.db")}};
  auto [migrate_code, migrate_out] = RunStripehook({"migrate"}, env);
  EXPECT_EQ(migrate_code, 0) << migrate_out;
  auto [list_code, list] = RunStripehook({"events", "list"}, env);
  EXPECT_EQ(list_code, 0) << list;
  auto [rebuild_code, rebuilt] = RunStripehook({"rebuild"}, env);
  EXPECT_EQ(rebuild_code, 0) << rebuilt;
  auto [serve_code, serve_out] = RunStripehook({"serve", "--check-config"}, env);
  EXPECT_EQ(serve_code, 2) << serve_out;
  EXPECT_NE(serve_out.find("no secret"), std::string::npos) << serve_out;
}

}  // namespace
}  // namespace stripehook::testing
