#pragma once

// The fixture of the notify integration tests: a real SQLite store filled by the real pipeline
// from tests/fixtures/lifecycles, real channels, and real servers on loopback (notify_servers.h).
// Time is a manual clock: retries become due by moving it, never by sleeping.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "notify/email_channel.h"
#include "notify/outbox_deliverer.h"
#include "notify/redis_channel.h"
#include "notify/webhook_channel.h"
#include "notify_servers.h"
#include "pipeline/processor.h"
#include "store/sqlite/sqlite_store.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace stripehook::notify {

using stripehook::testing::ChildProcess;
using stripehook::testing::PortFileServer;
using stripehook::testing::WaitFor;

inline constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

inline std::vector<std::string> Scenarios() {
  std::vector<std::string> names;
  for (const auto& e :
       std::filesystem::directory_iterator(stripehook::testing::FixturesDir() + "/lifecycles")) {
    if (e.path().extension() == ".jsonl") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::vector<std::string> Lines(const std::string& scenario) {
  std::ifstream in(stripehook::testing::FixturesDir() + "/lifecycles/" + scenario + ".jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

inline store::NewEvent ToNewEvent(const std::string& line) {
  boost::json::object o = boost::json::parse(line).as_object();
  const boost::json::object& object = o.at("data").as_object().at("object").as_object();
  store::NewEvent e;
  e.id = std::string(o.at("id").as_string());
  e.type = std::string(o.at("type").as_string());
  e.created = o.at("created").as_int64();
  e.object_id = object.contains("id") ? std::string(object.at("id").as_string()) : "";
  e.object_type = std::string(object.at("object").as_string());
  e.payload = line;
  return e;
}

inline billing::Config PlansConfig() {
  billing::Config config;
  config.plans["pro"] = billing::Plan{"pro", {"price_pro"}, {}, {{"seats", 5}}};
  config.plans["team"] = billing::Plan{"team", {"price_team"}, {}, {{"seats", 20}}};
  config.plans["enterprise"] = billing::Plan{"enterprise", {"price_enterprise"}, {}, {}};
  return config;
}

// One line of the receiver's log.
struct Received {
  std::string id;
  int status = 0;
  bool verified = false;
  std::string type, user_id;
  int64_t outbox_id = 0;
};

// One saved email.
struct Mail {
  std::string to, message_id, subject, raw;
};

inline std::string Header(const std::string& raw, const std::string& name) {
  size_t at = raw.find("\n" + name + ": ");
  if (at == std::string::npos && raw.rfind(name + ": ", 0) == 0)
    at = static_cast<size_t>(-1);
  else if (at == std::string::npos)
    return "";
  size_t start = at + 1 + name.size() + 2;
  size_t end = raw.find_first_of("\r\n", start);
  return raw.substr(start, end - start);
}

class NotifyDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetUnixSeconds(1'790'000'000);
    store::sqlite::SqliteOptions options;
    options.path = dir_.File("notify.db");
    options.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, store::sqlite::SqliteStore::Open(options));
    processor_ = std::make_unique<pipeline::Processor>(store_.get(), &clock_, PlansConfig(),
                                                       pipeline::ProcessorOptions{});
    ASSERT_OK(processor_->LoadState());
    std::filesystem::create_directories(mail_dir());
  }
  void TearDown() override {
    if (redis_ != nullptr) redisFree(redis_);
  }

  std::string mail_dir() const { return dir_.File("mail"); }
  std::string receiver_log() const { return dir_.File("received.jsonl"); }

  void StartReceiver(int fail_first) {
    receiver_ = std::make_unique<PortFileServer>(
        std::vector<std::string>{"node", stripehook::testing::NotifyReceiverDir() + "/receiver.js",
                                 "--secret", kSecret, "--log", receiver_log(), "--fail-first",
                                 std::to_string(fail_first)},
        dir_.path(), "receiver");
    std::string error = receiver_->Start();
    ASSERT_EQ(error, "") << "node receiver (run scripts/deps.sh for its npm packages)";
  }
  // Starts the SMTP sink on `port` (0: any); returns the port.
  int StartSmtp(int port = 0) {
    smtp_ = std::make_unique<PortFileServer>(
        std::vector<std::string>{"/usr/bin/python3",
                                 stripehook::testing::NotifyReceiverDir() + "/smtp_sink.py",
                                 "--dir", mail_dir(), "--port", std::to_string(port)},
        dir_.path(), "smtp");
    std::string error = smtp_->Start();
    EXPECT_EQ(error, "") << "aiosmtpd (Debian python3-aiosmtpd)";
    return smtp_->port();
  }
  void StartRedis() {
    std::string sock = dir_.File("redis.sock");
    redis_server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"redis-server", "--port", "0", "--unixsocket", sock, "--save", "",
                                 "--appendonly", "no", "--dir", dir_.path()},
        dir_.File("redis.log"));
    ASSERT_TRUE(redis_server_->Start());
    ASSERT_TRUE(WaitFor([&] {
      if (redis_ == nullptr) redis_ = redisConnectUnix(sock.c_str());
      if (redis_ != nullptr && redis_->err == 0) return true;
      if (redis_ != nullptr) redisFree(redis_);
      redis_ = nullptr;
      return false;
    })) << redis_server_->Log();
  }
  // Runs one command (each argument as is) on the test's own connection; the reply as text.
  std::string RedisCommand(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) argv.push_back(a.c_str()), lens.push_back(a.size());
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(redis_, static_cast<int>(args.size()), argv.data(), lens.data()));
    std::string out = reply == nullptr                     ? "error"
                      : reply->type == REDIS_REPLY_INTEGER ? std::to_string(reply->integer)
                                                           : std::string(reply->str, reply->len);
    if (reply != nullptr) freeReplyObject(reply);
    return out;
  }

  // How many DEL commands redis-server executed (INFO commandstats).
  int64_t RedisDelCalls() {
    std::string info = RedisCommand({"INFO", "commandstats"});
    size_t at = info.find("cmdstat_del:calls=");
    return at == std::string::npos ? 0 : std::atoll(info.c_str() + at + 18);
  }

  void ProcessAllLifecycles() {
    for (const std::string& scenario : Scenarios()) {
      for (const std::string& line : Lines(scenario)) {
        ASSERT_OK(store_->InsertEvent(ToNewEvent(line)));
      }
    }
    Drain();
  }
  void Drain() {
    for (int n = 1; n > 0;) {
      ASSERT_OK_AND_ASSIGN(n, processor_->RunOnce());
    }
  }

  std::unique_ptr<OutboxDeliverer> MakeDeliverer(bool webhooks, int smtp_port, bool redis) {
    std::vector<std::unique_ptr<Channel>> channels;
    if (webhooks) {
      WebhookTarget target{"app",
                           "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/",
                           kSecret,
                           {},
                           10'000};
      channels.push_back(*WebhookChannel::Create(target));
    }
    if (smtp_port > 0) {
      EmailSettings settings;
      settings.server.url = "smtp://127.0.0.1:" + std::to_string(smtp_port);
      settings.from = "billing@acme.test";
      settings.product = "Acme";
      settings.operator_email = "ops@acme.test";
      auto lookup = [this](const std::string& user) {
        std::optional<Recipient> r;
        processor_->WithState([&](const billing::State& s) { r = RecipientOf(s, user); });
        return r;
      };
      EmailTemplates templates = *EmailTemplates::Load("");
      channels.push_back(std::make_unique<EmailChannel>(EmailChannel::Audience::kCustomer, settings,
                                                        templates, lookup));
      channels.push_back(std::make_unique<EmailChannel>(EmailChannel::Audience::kOperator, settings,
                                                        templates, lookup));
    }
    if (redis) {
      channels.push_back(
          *RedisChannel::Create({"unix://" + dir_.File("redis.sock"), "features:{user_id}", 2000}));
    }
    DeliveryOptions options;
    options.seed = 11;
    return std::make_unique<OutboxDeliverer>(store_.get(), &clock_, std::move(channels), options);
  }

  // Passes until no row is open, moving the clock past the longest backoff between passes.
  void DeliverEverything(OutboxDeliverer& deliverer, int max_passes = 200) {
    for (int pass = 0; pass < max_passes; ++pass) {
      ASSERT_OK(deliverer.RunOnce());
      ASSERT_OK_AND_ASSIGN(auto open, store_->OpenOutbox(0, 1));
      if (open.empty()) return;
      clock_.SetUnixSeconds(clock_.NowUnixMicros() / 1'000'000 + 3601);
    }
    FAIL() << "outbox still open after " << max_passes << " passes";
  }

  std::vector<Received> ReceivedWebhooks() const {
    std::vector<Received> out;
    std::ifstream in(receiver_log());
    for (std::string line; std::getline(in, line);) {
      boost::json::object o = boost::json::parse(line).as_object();
      Received r;
      r.id = o.at("id").is_string() ? std::string(o.at("id").as_string()) : "";
      r.status = static_cast<int>(o.at("status").as_int64());
      r.verified = o.contains("verified") && o.at("verified").as_bool();
      if (r.verified) {
        r.type = std::string(o.at("type").as_string());
        r.user_id = std::string(o.at("user_id").as_string());
        r.outbox_id = o.at("outbox_id").as_int64();
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  std::vector<Mail> Mails() const {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(mail_dir())) {
      if (e.path().extension() == ".eml") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    std::vector<Mail> out;
    for (const std::string& f : files) {
      std::string raw = ChildProcess::ReadFile(f);
      out.push_back({Header("\n" + raw, "X-Envelope-To"), Header(raw, "Message-ID"),
                     Header(raw, "Subject"), raw});
    }
    return out;
  }

  // Type of every outbox row by id.
  std::map<int64_t, store::OutboxEntry> OutboxById() {
    std::map<int64_t, store::OutboxEntry> rows;
    store::OutboxFilter filter;
    filter.limit = 1000;
    auto page = store_->ListOutbox(filter);
    EXPECT_OK(page);
    for (auto& e : page->entries) rows[e.id] = e;
    return rows;
  }

  stripehook::testing::TempDir dir_;
  util::ManualClock clock_{0};
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<pipeline::Processor> processor_;
  std::unique_ptr<PortFileServer> receiver_, smtp_;
  std::unique_ptr<ChildProcess> redis_server_;
  redisContext* redis_ = nullptr;
};

}  // namespace stripehook::notify
