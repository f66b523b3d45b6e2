#pragma once

namespace CLI {
class App;
}  // namespace CLI

namespace stripehook::app {

struct CommonOptions;

// Registers `stripehook replay [--since TIME] [--type T]... [--window SECONDS]`: lists
// GET /v1/events (reconcile::RunBackfill) and inserts the events the inbox lacks, source
// "backfill". A running `serve` applies them. Exit 0 done, 1 Stripe or store error, 2 usage.
void AddReplayCommand(CLI::App& app, CommonOptions& common, int& code);

}  // namespace stripehook::app
