// `stripehook outbox list|retry`: the notification outbox from the command line (docs/api.md).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "notify/outbox_api.h"
#include "store/outbox.h"

namespace stripehook::app {
namespace {

struct OutboxCliOptions {
  std::string status;
  std::string user_id;
  int limit = 20;
  int64_t starting_after = 0;
  bool json = false;
  int64_t id = 0;
  bool all_dead = false;
};

void PrintEntry(const store::OutboxEntry& e, bool json) {
  if (json) {
    std::cout << boost::json::serialize(notify::OutboxEntryJson(e)) << "\n";
    return;
  }
  std::cout << e.id << "  " << store::OutboxStatusName(e.status) << "  " << e.type << "  "
            << (e.user_id.empty() ? "-" : e.user_id) << "  attempts=" << e.attempts;
  if (e.last_error) std::cout << "  error=" << *e.last_error;
  std::cout << "\n";
}

int RunOutboxList(const CommonOptions& common, const OutboxCliOptions& o) {
  store::OutboxFilter filter;
  if (!o.status.empty()) {
    filter.status = store::ParseOutboxStatus(o.status);
    if (!filter.status) {
      std::cerr << "stripehook outbox list: --status: unknown status '" << o.status << "'\n";
      return 2;
    }
  }
  if (!o.user_id.empty()) filter.user_id = o.user_id;
  if (o.starting_after > 0) filter.starting_after = o.starting_after;
  filter.limit = o.limit;
  std::optional<Opened> opened = OpenForCli(common, "outbox list");
  if (!opened) return 1;
  util::StatusOr<store::OutboxPage> page = opened->store->ListOutbox(filter);
  if (!page.ok()) {
    std::cerr << "stripehook outbox list: " << page.status().ToString() << "\n";
    return page.status().code() == util::StatusCode::kInvalidArgument ? 2 : 1;
  }
  for (const store::OutboxEntry& e : page->entries) PrintEntry(e, o.json);
  if (page->has_more && !o.json) {
    std::cout << "(more: --starting-after " << page->entries.back().id << ")\n";
  }
  return 0;
}

int RunOutboxRetry(const CommonOptions& common, const OutboxCliOptions& o) {
  if ((o.id > 0) == o.all_dead) {
    std::cerr << "stripehook outbox retry: give an outbox id or --dead\n";
    return 2;
  }
  std::optional<Opened> opened = OpenForCli(common, "outbox retry");
  if (!opened) return 1;
  std::optional<int64_t> id;
  if (o.id > 0) id = o.id;
  util::StatusOr<int64_t> requeued = opened->store->RequeueOutbox(id);
  if (!requeued.ok()) {
    std::cerr << "stripehook outbox retry: " << requeued.status().ToString() << "\n";
    return 1;
  }
  std::cout << "requeued " << *requeued << " outbox row(s)\n";
  return 0;
}

}  // namespace

void AddOutboxCommands(CLI::App& app, CommonOptions& common, int& code) {
  auto o = std::make_shared<OutboxCliOptions>();  // outlives parsing: held by the callbacks
  CLI::App* outbox = app.add_subcommand("outbox", "Notifications waiting for or done delivery");
  outbox->require_subcommand(1);
  CLI::App* ls = outbox->add_subcommand("list", "List outbox rows, newest first");
  ls->add_option("--status", o->status, "pending|failed|delivered|dead");
  ls->add_option("--user", o->user_id, "Application user id");
  ls->add_option("--limit", o->limit, "1..1000");
  ls->add_option("--starting-after", o->starting_after, "Continue after this outbox id");
  ls->add_flag("--json", o->json, "One JSON object per line");
  ls->callback([&common, &code, o] { code = RunOutboxList(common, *o); });
  CLI::App* retry =
      outbox->add_subcommand("retry", "Deliver a failed or dead row again, or all dead");
  retry->add_option("id", o->id, "Outbox id");
  retry->add_flag("--dead", o->all_dead, "Every dead row");
  retry->callback([&common, &code, o] { code = RunOutboxRetry(common, *o); });
}

}  // namespace stripehook::app
