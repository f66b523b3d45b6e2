#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "billing/config.h"
#include "store/store.h"

namespace CLI {
class App;
}  // namespace CLI

namespace stripehook::app {

// Options of each subcommand, filled by CLI11 in cli.cpp; each Run* returns an exit code.

struct CommonOptions {
  std::string config_path;  // --config; empty = ./stripehook.toml if present
};

struct ServeOptions {
  bool check_config = false;
};
int RunServe(const CommonOptions& common, const ServeOptions& options);
int RunMigrate(const CommonOptions& common);

struct SignOptions {
  std::string secret;  // --secret, else STRIPE_WEBHOOK_SECRET
  std::optional<int64_t> timestamp;
  std::string file;
};
int RunSign(const SignOptions& options);

struct VerifyOptions {
  std::vector<std::string> secrets;  // --secret (repeatable), else STRIPE_WEBHOOK_SECRET
  std::string header;
  int64_t tolerance = 300;
  std::optional<int64_t> now;
  std::string file;
};
int RunVerify(const VerifyOptions& options);

struct SendOptions {
  std::string url = "http://127.0.0.1:8080/webhooks/stripe";
  std::string secret;
  std::string file;  // JSON event, or JSONL stream; "-" = stdin
  bool fresh_timestamp = true;
};
int RunSend(const SendOptions& options);

struct EventsListOptions {
  std::string status;
  std::string type;
  std::string object_id;
  std::string since;
  std::string until;
  int limit = 20;
  std::string starting_after;
  bool json = false;
};
int RunEventsList(const CommonOptions& common, const EventsListOptions& options);
int RunEventsShow(const CommonOptions& common, const std::string& id);

int RunRebuild(const CommonOptions& common);
int RunAccess(const CommonOptions& common, const std::string& user_id, const std::string& at);
int RunEventsRetry(const CommonOptions& common, const std::string& id, bool all_failed);

// `outbox list|retry` (cli_outbox.cpp), registered by RunCli.
void AddOutboxCommands(CLI::App& app, CommonOptions& common, int& code);

// What the commands that read the store need: the configuration, the billing part of it, and
// the opened store. OpenForCli prints what went wrong (naming `command`) and returns nullopt.
struct Opened {
  Config config;
  billing::Config billing;
  std::unique_ptr<store::Store> store;
};
std::optional<Opened> OpenForCli(const CommonOptions& common, const char* command);

// The first secret of STRIPE_WEBHOOK_SECRET (a comma-separated list during a rotation), or "".
std::string SecretFromEnv();

// Reads a whole file ("-" = stdin) byte for byte; nullopt and a message on stderr on failure.
std::optional<std::string> ReadFileBytes(const std::string& path);

// "1763802000", "2026-11-23T10:00:00Z", or an age such as "30m", "24h", "7d" before `now`.
std::optional<int64_t> ParseTimeArg(const std::string& text, int64_t now);

}  // namespace stripehook::app
