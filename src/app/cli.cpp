#include "app/cli.h"

#include <CLI/CLI.hpp>

#include "app/cli_commands.h"
#include "app/cli_reconcile.h"
#include "app/cli_replay.h"

namespace stripehook::app {
namespace {

void AddServe(CLI::App& app, CommonOptions& common, ServeOptions& serve, int& code) {
  CLI::App* cmd = app.add_subcommand("serve", "Serve webhooks and the APIs");
  cmd->add_flag("--check-config", serve.check_config, "Validate the configuration and exit");
  cmd->callback([&] { code = RunServe(common, serve); });
}

void AddSignVerify(CLI::App& app, SignOptions& sign, VerifyOptions& verify, int& code) {
  CLI::App* s = app.add_subcommand("sign", "Print a Stripe-Signature header for a file");
  s->add_option("--secret", sign.secret, "Signing secret (default: STRIPE_WEBHOOK_SECRET)");
  s->add_option("--timestamp", sign.timestamp, "Unix seconds (default: now)");
  s->add_option("file", sign.file, "Body file ('-' = stdin)")->required();
  s->callback([&] { code = RunSign(sign); });

  CLI::App* v = app.add_subcommand("verify", "Check a Stripe-Signature header and say why not");
  v->add_option("--secret", verify.secrets, "Secret (repeatable; default: STRIPE_WEBHOOK_SECRET)");
  v->add_option("--header", verify.header, "The Stripe-Signature header value")->required();
  v->add_option("--tolerance", verify.tolerance, "Seconds (<= 0 disables the age check)");
  v->add_option("--now", verify.now, "Unix seconds to check against (default: now)");
  v->add_option("file", verify.file, "The raw body as received ('-' = stdin)")->required();
  v->callback([&] { code = RunVerify(verify); });
}

void AddSend(CLI::App& app, SendOptions& send, int& code) {
  CLI::App* cmd = app.add_subcommand("send", "Sign events (JSON or JSONL) and POST them");
  cmd->add_option("--url", send.url, "Webhook URL");
  cmd->add_option("--secret", send.secret, "Signing secret (default: STRIPE_WEBHOOK_SECRET)");
  cmd->add_option("file", send.file, "Event JSON, or JSONL with one event per line ('-' = stdin)")
      ->required();
  cmd->callback([&] { code = RunSend(send); });
}

struct StateArgs {
  std::string event_id;
  bool all_failed = false;
  std::string user_id;
  std::string at;
};

void AddState(CLI::App& app, CommonOptions& common, StateArgs& args, int& code) {
  app.add_subcommand("rebuild", "Recompute the state from the inbox and compare with the live one")
      ->callback([&] { code = RunRebuild(common); });
  CLI::App* access = app.add_subcommand("access", "Print the access decision for a user");
  access->add_option("user_id", args.user_id, "Application user id")->required();
  access->add_option("--at", args.at, "Decide at this time (unix, ISO 8601, or 24h ago)");
  access->callback([&] { code = RunAccess(common, args.user_id, args.at); });
}

void AddEvents(CLI::App& app, CommonOptions& common, EventsListOptions& list, std::string& id,
               StateArgs& state, int& code) {
  CLI::App* events = app.add_subcommand("events", "Read the inbox");
  events->require_subcommand(1);
  CLI::App* ls = events->add_subcommand("list", "List events, newest first");
  ls->add_option("--status", list.status, "pending|processed|ignored|stale|failed|dead");
  ls->add_option("--type", list.type, "Event type, e.g. invoice.paid");
  ls->add_option("--object", list.object_id, "data.object.id");
  ls->add_option("--since", list.since, "Created at or after: unix, ISO 8601 or 24h/7d ago");
  ls->add_option("--until", list.until, "Created before: unix, ISO 8601 or 24h/7d ago");
  ls->add_option("--limit", list.limit, "1..1000");
  ls->add_option("--starting-after", list.starting_after, "Continue after this event id");
  ls->add_flag("--json", list.json, "One JSON object per line");
  ls->callback([&] { code = RunEventsList(common, list); });
  CLI::App* show = events->add_subcommand("show", "Show one event with its payload");
  show->add_option("id", id, "Event id")->required();
  show->callback([&] { code = RunEventsShow(common, id); });
  CLI::App* retry = events->add_subcommand("retry", "Re-queue a failed or dead event, or all");
  retry->add_option("id", state.event_id, "Event id");
  retry->add_flag("--failed", state.all_failed, "Every failed and dead event");
  retry->callback([&] { code = RunEventsRetry(common, state.event_id, state.all_failed); });
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"stripehook: verified, durable, exactly-once Stripe webhooks"};
  app.require_subcommand(1);
  app.fallthrough();  // --config may follow the subcommand
  CommonOptions common;
  app.add_option("-c,--config", common.config_path, "TOML config (default: ./stripehook.toml)");
  int code = 0;
  ServeOptions serve;
  SignOptions sign;
  VerifyOptions verify;
  SendOptions send;
  EventsListOptions list;
  std::string event_id;
  AddServe(app, common, serve, code);
  app.add_subcommand("migrate", "Apply database migrations")->callback([&] {
    code = RunMigrate(common);
  });
  AddSignVerify(app, sign, verify, code);
  AddSend(app, send, code);
  StateArgs state;
  AddEvents(app, common, list, event_id, state, code);
  AddState(app, common, state, code);
  AddReplayCommand(app, common, code);
  AddReconcileCommands(app, common, code);
  AddOutboxCommands(app, common, code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int exit = app.exit(e);
    return exit == 0 ? 0 : 2;
  }
  return code;
}

}  // namespace stripehook::app
