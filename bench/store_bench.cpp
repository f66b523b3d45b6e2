// stripehook-store-bench: the embedded store and the pipeline without HTTP, for A/B runs of
// storage changes. Submits N copies of the load generator's invoice.paid body (unique ids) to a
// SqliteStore on a fresh file, `--window` at a time (as 64 connections would), with the pipeline
// running as in `serve`; then waits until the pipeline has handled every event. Prints one JSON
// line: events, wall seconds and process CPU µs per event for the ingest phase and in total,
// group-commit batches, and bytes written. CPU per event is the figure to compare: it moves far
// less than throughput when the machine is shared.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include <sqlite3.h>
#include <CLI/CLI.hpp>

#include "billing/config.h"
#include "pipeline/processor.h"
#include "request_template.h"
#include "store/sqlite/sqlite_store.h"
#include "stripe/envelope.h"
#include "util/clock.h"

namespace {

using namespace stripehook;

// The process's CPU seconds (user + system) and minor page faults so far.
struct Usage {
  double cpu_s = 0;
  long minor_faults = 0;
};

Usage ReadUsage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return {seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_minflt};
}

int64_t WriteBytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (io >> key >> value) {
    if (key == "wchar:") return value;
  }
  return 0;
}

// At most `limit` submissions without their callback.
class Window {
 public:
  explicit Window(int limit) : limit_(limit) {}
  void Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ < limit_; });
    ++in_flight_;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      --in_flight_;
    }
    cv_.notify_all();
  }
  void Drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  const int limit_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"stripehook-store-bench: SQLite store + pipeline, no HTTP"};
  std::string dir = "/tmp";
  int events = 50000;
  int window = 64;
  bool pipeline = true;
  size_t truncate = 0;
  std::string pre_sql;
  int64_t passive_frames = 0;
  app.add_option("--passive-frames", passive_frames, "experiment: WAL frames before a checkpoint");
  app.add_option("--pre-sql", pre_sql, "experiment: SQL run on the migrated database first");
  app.add_option("--truncate", truncate, "experiment: store only this many payload bytes");
  app.add_option("--dir", dir, "directory for the throwaway database");
  app.add_option("--events", events, "events to submit")->check(CLI::PositiveNumber);
  app.add_option("--window", window, "submissions in flight")->check(CLI::PositiveNumber);
  app.add_flag("!--no-pipeline", pipeline, "do not run the pipeline");
  CLI11_PARSE(app, argc, argv);

  util::StatusOr<bench::BodyTemplate> tpl = bench::DefaultBodyTemplate(STRIPEHOOK_FIXTURES_DIR);
  if (!tpl.ok()) {
    std::fprintf(stderr, "store-bench: %s\n", tpl.status().ToString().c_str());
    return 1;
  }
  std::string path = dir + "/store-bench-" + std::to_string(::getpid()) + ".db";
  store::sqlite::SqliteOptions options;
  options.path = path;
  if (passive_frames > 0) options.checkpoints.passive_frames = passive_frames;
  if (!pre_sql.empty()) {
    { auto first = store::sqlite::SqliteStore::Open(options); }
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    char* err = nullptr;
    if (sqlite3_exec(db, pre_sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::fprintf(stderr, "pre-sql: %s\n", err);
      return 1;
    }
    sqlite3_close(db);
  }
  auto store = store::sqlite::SqliteStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "store-bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const util::Clock& clock = util::SystemClock::Default();
  pipeline::Processor processor(store->get(), &clock, billing::Config{}, {});
  if (!processor.LoadState().ok()) return 1;
  if (pipeline) processor.Start();

  Window in_flight(window);
  std::atomic<int> failed{0};
  const Usage usage0 = ReadUsage();
  const int64_t written0 = WriteBytes();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < events; ++i) {
    std::string body = tpl->body;
    char id[32];
    std::snprintf(id, sizeof id, "%024d", i);
    body.replace(tpl->id_offset, bench::kEventIdSuffixWidth, id);
    std::string created = std::to_string(clock.NowUnixSeconds());
    body.replace(tpl->created_offset, created.size(), created);
    util::StatusOr<stripe::EventEnvelope> envelope = stripe::ParseEventEnvelope(body);
    if (!envelope.ok()) return 1;
    store::NewEvent event;
    event.id = std::move(envelope->id);
    event.type = std::move(envelope->type);
    event.created = envelope->created;
    event.api_version = std::move(envelope->api_version);
    event.object_id = std::move(envelope->object_id);
    event.object_type = std::move(envelope->object_type);
    event.payload = std::move(body);
    if (truncate > 0) event.payload.resize(truncate);
    event.received_at_us = clock.NowUnixMicros();
    event.source = "webhook";
    event.endpoint = "default";
    in_flight.Acquire();
    (*store)->InsertEventAsync(std::move(event), [&](util::StatusOr<store::InsertOutcome> r) {
      if (!r.ok()) failed.fetch_add(1);
      in_flight.Release();
      if (pipeline) processor.Notify();
    });
  }
  in_flight.Drain();
  const auto t1 = std::chrono::steady_clock::now();
  const Usage usage1 = ReadUsage();
  if (pipeline) {
    // Every stored event is handled once (a failed insert never reaches the pipeline).
    const int64_t stored = events - failed.load();
    while (processor.stats().processed + processor.stats().stale + processor.stats().ignored +
               processor.stats().failed <
           stored) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  const auto t2 = std::chrono::steady_clock::now();
  const Usage usage2 = ReadUsage();
  const int64_t written = WriteBytes() - written0;
  auto writer = (*store)->writer_stats();
  processor.Stop();
  (*store)->Shutdown();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");

  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  std::printf(
      "{\"events\":%d,\"failed\":%d,\"ingest_s\":%.3f,\"ingest_per_s\":%.0f,"
      "\"ingest_cpu_us\":%.1f,\"total_s\":%.3f,\"total_cpu_us\":%.1f,\"batches\":%lld,"
      "\"written_kb_per_event\":%.2f,\"page_faults_per_event\":%.2f}\n",
      events, failed.load(), secs(t1 - t0), events / secs(t1 - t0),
      (usage1.cpu_s - usage0.cpu_s) / events * 1e6, secs(t2 - t0),
      (usage2.cpu_s - usage0.cpu_s) / events * 1e6, static_cast<long long>(writer.batches),
      static_cast<double>(written) / events / 1024,
      static_cast<double>(usage2.minor_faults - usage0.minor_faults) / events);
  return failed.load() == 0 ? 0 : 1;
}
