#pragma once

namespace CLI {
class App;
}  // namespace CLI

namespace stripehook::app {

struct CommonOptions;

// Registers `stripehook reconcile [--dry-run] [--json]`, `stripehook check-user USER` (JSON) and
// `stripehook fix-user USER` (cli_reconcile.cpp). Repairs go into the inbox (source "reconcile"); a
// running `serve` applies them, otherwise the next one does. Exit codes: 0 done, 1 a Stripe or
// store error, 2 usage or configuration, 3 check-user found differences or failed events.
void AddReconcileCommands(CLI::App& app, CommonOptions& common, int& code);

}  // namespace stripehook::app
