// PostgresStore against a real PostgreSQL that starts, stops and restarts under it
// (tests/support/postgres_cluster.h): concurrent migrations, outages, recovery.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/postgres/pg_arrays.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_writer.h"
#include "store/postgres/postgres_store.h"
#include "support/postgres_cluster.h"
#include "support/status_matchers.h"
#include "util/clock.h"

namespace stripehook::store::postgres {
namespace {

using stripehook::testing::PostgresCluster;

NewEvent MakeEvent(const std::string& id) {
  NewEvent e;
  e.id = id;
  e.type = "invoice.paid";
  e.created = 1'700'000'000;
  e.object_id = "in_1";
  e.object_type = "invoice";
  e.payload = R"({"id":")" + id + R"("})";
  e.endpoint = "default";
  return e;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Init()) << cluster_.error();
    url_ = cluster_.CreateDatabase();
    ASSERT_FALSE(url_.empty()) << cluster_.error();
  }
  util::StatusOr<std::unique_ptr<PostgresStore>> Open() {
    PostgresOptions options;
    options.url = url_;
    return PostgresStore::Open(options);
  }

  PostgresCluster cluster_;
  std::string url_;
};

TEST_F(PostgresStoreTest, InstancesStartingAtOnceMigrateOnce) {
  std::vector<std::future<util::StatusOr<std::unique_ptr<PostgresStore>>>> opening;
  for (int i = 0; i < 4; ++i)
    opening.push_back(std::async(std::launch::async, [&] { return Open(); }));
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (auto& f : opening) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresStore> store, f.get());
    stores.push_back(std::move(store));
  }
  EXPECT_EQ(PostgresCluster::QueryInt(url_, "SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(PgMigrations().size()));
  // Both see one inbox: the second delivery of an id is a duplicate wherever it lands.
  ASSERT_OK_AND_ASSIGN(InsertOutcome first, stores[0]->InsertEvent(MakeEvent("evt_1")));
  ASSERT_OK_AND_ASSIGN(InsertOutcome second, stores[1]->InsertEvent(MakeEvent("evt_1")));
  EXPECT_EQ(first, InsertOutcome::kInserted);
  EXPECT_EQ(second, InsertOutcome::kDuplicate);
}

TEST_F(PostgresStoreTest, NewerSchemaThanTheBinaryIsRefused) {
  ASSERT_OK(Open().status());
  ASSERT_EQ(
      PostgresCluster::Execute(
          url_, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'x', 0)"),
      "");
  EXPECT_STATUS_CODE(Open(), kFailedPrecondition);
}

TEST_F(PostgresStoreTest, UnreachableServerIsUnavailable) {
  ASSERT_TRUE(cluster_.Stop());
  EXPECT_STATUS_CODE(Open(), kUnavailable);
}

// Polls `attempt` until it returns true, up to 30 s (the machine may be loaded).
template <typename F>
bool Eventually(F attempt) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (attempt()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_F(PostgresStoreTest, OutageFailsFastThenTheSameStoreRecoversByItself) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresStore> store, Open());
  ASSERT_OK(store->InsertEvent(MakeEvent("evt_before")));
  ASSERT_OK(store->GetEvent("evt_before"));

  ASSERT_TRUE(cluster_.Stop());
  EXPECT_STATUS_CODE(store->InsertEvent(MakeEvent("evt_during")), kUnavailable);
  EXPECT_STATUS_CODE(store->InsertEvent(MakeEvent("evt_during")), kUnavailable);
  EXPECT_STATUS_CODE(store->Ping(), kUnavailable);
  EXPECT_STATUS_CODE(store->GetEvent("evt_before"), kUnavailable);

  ASSERT_TRUE(cluster_.Start()) << cluster_.error();
  // The writer and the readers reconnect with backoff: no reopen, no restart of ours.
  EXPECT_TRUE(Eventually([&] { return store->InsertEvent(MakeEvent("evt_after")).ok(); }));
  EXPECT_TRUE(Eventually([&] { return store->Ping().ok(); }));
  ASSERT_OK_AND_ASSIGN(StoredEvent before, store->GetEvent("evt_before"));
  EXPECT_EQ(before.event.payload, MakeEvent("evt_before").payload);
  ASSERT_OK_AND_ASSIGN(int64_t count, store->CountEvents());
  EXPECT_EQ(count, 2);  // evt_during was never stored
  EXPECT_OK(store->CommitProcessing(
      ProcessingCommit{{RecordWrite{"customers", "cus_1", "{}"}}, {}, {}, {}}));
}

// The ingest writer's session compresses payloads with lz4 (pg_writer.cpp: pglz took 11 % of
// PostgreSQL's CPU per event), on its first connection and again after a reconnect.
TEST_F(PostgresStoreTest, IngestCompressesPayloadsWithLz4AlsoAfterReconnecting) {
  auto big_event = [](const std::string& id) {
    NewEvent e = MakeEvent(id);
    e.payload = R"({"id":")" + id + R"(","lines":[)";
    for (int i = 0; i < 200; ++i) e.payload += R"({"amount":1000,"currency":"usd"},)";
    e.payload += "{}]}";
    return e;
  };
  auto compression = [&](const std::string& id) {
    return PostgresCluster::QueryInt(
        url_,
        "SELECT CASE pg_column_compression(payload) WHEN 'lz4' THEN 1 WHEN 'pglz' THEN 2 "
        "ELSE 0 END FROM events WHERE id = '" +
            id + "'");
  };
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PostgresStore> store, Open());
  ASSERT_OK(store->InsertEvent(big_event("evt_first")));
  EXPECT_EQ(compression("evt_first"), 1);

  ASSERT_TRUE(cluster_.Stop());
  ASSERT_TRUE(cluster_.Start()) << cluster_.error();
  EXPECT_TRUE(Eventually([&] { return store->InsertEvent(big_event("evt_after")).ok(); }));
  EXPECT_EQ(compression("evt_after"), 1);
  EXPECT_TRUE(Eventually([&] { return store->Ping().ok(); }));
  ASSERT_OK_AND_ASSIGN(StoredEvent stored, store->GetEvent("evt_after"));
  EXPECT_EQ(stored.event.payload, big_event("evt_after").payload);
}

// Processing commits travel as these arrays (pg_processing_writes.cpp): what PostgreSQL unnests
// must be exactly what was added, NULLs and empty arrays included.
TEST_F(PostgresStoreTest, ArrayParamsArriveElementForElement) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgConnection> conn, PgConnection::Connect({.url = url_}));
  auto texts = PgArrayParam::Text();
  texts.AddText("plain");
  texts.AddOptText(std::nullopt);
  texts.AddText(R"(quo"te,{brace}\ é)");
  texts.AddText(std::string("cut\0here", 8));  // stored up to the NUL, as text parameters are
  texts.AddText("");
  auto ints = PgArrayParam::BigInt();
  ints.AddInt(-1);
  ints.AddOptInt(std::nullopt);
  ints.AddInt(INT64_MAX);
  ints.AddInt(0);
  ints.AddInt(7);
  ASSERT_OK_AND_ASSIGN(
      PgResult res,
      conn->Query("SELECT coalesce(t, '<null>'), coalesce(i::text, '<null>') FROM "
                  "unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(t, i, n) ORDER BY n",
                  {std::move(texts).Build(), std::move(ints).Build()}));
  ASSERT_EQ(res.rows(), 5);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"plain", "-1"},
      {"<null>", "<null>"},
      {R"(quo"te,{brace}\ é)", "9223372036854775807"},
      {"cut", "0"},
      {"", "7"}};
  for (int row = 0; row < 5; ++row) {
    EXPECT_EQ(res.String(row, 0), want[row].first) << row;
    EXPECT_EQ(res.String(row, 1), want[row].second) << row;
  }
  ASSERT_OK_AND_ASSIGN(PgResult empty, conn->Query("SELECT cardinality($1::text[])",
                                                   {PgArrayParam::Text().Build()}));
  EXPECT_EQ(empty.Int64(0, 0), 0);
}

// Inserts and works queued together commit in runs of one kind, in the order submitted, as in
// the SQLite writer: an acknowledgement never waits for a work's savepoints and statements.
TEST_F(PostgresStoreTest, WriterCommitsInsertsAndWorksInSeparateBatchesInQueueOrder) {
  ASSERT_OK(Open().status());  // migrates
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<PgConnection> conn, PgConnection::Connect({.url = url_}));
  util::ManualClock clock(1'700'000'000'000'000);
  PgGroupCommitWriter writer(std::move(conn), {.connection = {.url = url_}, .clock = &clock});
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::string> order;  // written on the writer thread only
  std::latch answered(7);
  writer.SubmitWork(  // holds the writer until everything below is queued
      [released](PgConnection&) {
        released.wait();
        return util::OkStatus();
      },
      [&](util::Status s) {
        EXPECT_OK(s);
        answered.count_down();
      });
  auto insert = [&](const std::string& id) {
    writer.SubmitInsert(MakeEvent(id), [&, id](util::StatusOr<InsertOutcome> r) {
      EXPECT_OK(r);
      order.push_back(id);
      answered.count_down();
    });
  };
  auto count_events = [&](const std::string& name) {
    writer.SubmitWork(
        [&, name](PgConnection& c) -> util::Status {
          SH_ASSIGN_OR_RETURN(PgResult res, c.Query("SELECT count(*) FROM events", {}));
          order.push_back(name + " saw " + std::to_string(res.Int64(0, 0)));
          return util::OkStatus();
        },
        [&](util::Status s) {
          EXPECT_OK(s);
          answered.count_down();
        });
  };
  for (std::string step : {"evt_a", "evt_b", "w1", "w2", "evt_c", "evt_d"}) {
    step.starts_with("evt_") ? insert(step) : count_events(step);
  }
  release.set_value();
  answered.wait();

  EXPECT_EQ(order,
            (std::vector<std::string>{"evt_a", "evt_b", "w1 saw 2", "w2 saw 2", "evt_c", "evt_d"}));
  PgWriterStats stats = writer.Stats();
  EXPECT_EQ(stats.batches, 1 + 3);  // the gate's own, then [a, b], [w1, w2], [c, d]
  EXPECT_EQ(stats.max_batch_size, 2);
  EXPECT_EQ(stats.events, 4);
}

}  // namespace
}  // namespace stripehook::store::postgres
