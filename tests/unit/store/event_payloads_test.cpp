// Migration 6: event payloads live in event_payloads, events rows stay small; rows written before
// (payload inline in events) still read back whole; deleting an events row drops its payload.
#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store {
namespace {

using sqlite::Connection;
using testing::MakeEvent;
using testing::StoreFixture;

// One integer from `sql` on a separate connection to the store's file.
int64_t QueryInt(const std::string& path, const std::string& sql) {
  auto conn = Connection::Open(path, {});
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return -1;
  auto stmt = (*conn)->Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  if (!stmt.ok()) return -1;
  auto row = stmt->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return row.ok() && *row ? stmt->ColumnInt64(0) : -1;
}

TEST(EventPayloadsTest, InsertStoresPayloadApartAndReadsItBack) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
  NewEvent event = MakeEvent("evt_split", 1);
  event.payload = std::string(3000, 'x');
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store->InsertEvent(event));
  EXPECT_EQ(outcome, InsertOutcome::kInserted);

  EXPECT_EQ(QueryInt(fixture.path(), "SELECT length(payload) FROM events WHERE id = 'evt_split'"),
            0);
  // Stored compressed (payload_codec.h): the blob is a zstd frame, far smaller than the payload.
  EXPECT_EQ(QueryInt(fixture.path(),
                     "SELECT hex(substr(p.payload, 1, 4)) = '28B52FFD' FROM event_payloads p "
                     "JOIN events e ON e.seq = p.seq WHERE e.id = 'evt_split'"),
            1);
  EXPECT_LT(QueryInt(fixture.path(),
                     "SELECT length(p.payload) FROM event_payloads p JOIN events e "
                     "ON e.seq = p.seq WHERE e.id = 'evt_split'"),
            100);
  ASSERT_OK_AND_ASSIGN(StoredEvent stored, store->GetEvent("evt_split"));
  EXPECT_EQ(stored.event.payload, event.payload);
  ASSERT_OK_AND_ASSIGN(auto due, store->DueEvents(fixture.clock().NowUnixMicros(), 10));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].event.payload, event.payload);
}

TEST(EventPayloadsTest, DuplicateKeepsTheFirstPayload) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
  NewEvent first = MakeEvent("evt_dup", 1);
  NewEvent second = first;
  second.payload = "{\"changed\":true}";
  ASSERT_OK(store->InsertEvent(first).status());
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store->InsertEvent(second));
  EXPECT_EQ(outcome, InsertOutcome::kDuplicate);
  EXPECT_EQ(QueryInt(fixture.path(), "SELECT count(*) FROM event_payloads"), 1);
  ASSERT_OK_AND_ASSIGN(StoredEvent stored, store->GetEvent("evt_dup"));
  EXPECT_EQ(stored.event.payload, first.payload);
}

// A row as written before migration 6 (or by a tool inserting into events directly).
TEST(EventPayloadsTest, InlinePayloadRowsStillReadBack) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(fixture.path(), {}));
    ASSERT_OK(conn->Exec(
        "INSERT INTO events (id, type, created, livemode, object_id, object_type, received_at, "
        "source, endpoint, payload) VALUES ('evt_inline', 'invoice.paid', 1700000000, 0, 'in_1', "
        "'invoice', 1, 'webhook', 'default', CAST('{\"inline\":1}' AS BLOB))"));
  }
  ASSERT_OK_AND_ASSIGN(StoredEvent stored, store->GetEvent("evt_inline"));
  EXPECT_EQ(stored.event.payload, "{\"inline\":1}");
  ASSERT_OK_AND_ASSIGN(auto due, store->DueEvents(fixture.clock().NowUnixMicros(), 10));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].event.payload, "{\"inline\":1}");
}

// A payload row as received (written before payloads were compressed, or by a tool).
TEST(EventPayloadsTest, UncompressedPayloadRowsStillReadBack) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
  ASSERT_OK(store->InsertEvent(MakeEvent("evt_raw", 1)).status());
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(fixture.path(), {}));
    ASSERT_OK(conn->Exec("UPDATE event_payloads SET payload = CAST('{\"raw\":1}' AS BLOB)"));
  }
  ASSERT_OK_AND_ASSIGN(StoredEvent stored, store->GetEvent("evt_raw"));
  EXPECT_EQ(stored.event.payload, "{\"raw\":1}");
}

// A damaged frame is an error that names the event, not a different payload.
TEST(EventPayloadsTest, ADamagedPayloadIsDataLossNamingTheEvent) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
  NewEvent event = MakeEvent("evt_damaged", 1);
  event.payload = std::string(3000, 'y');
  ASSERT_OK(store->InsertEvent(event).status());
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(fixture.path(), {}));
    // Keeps the frame's header and blocks, replaces its 4-byte checksum.
    ASSERT_OK(
        conn->Exec("UPDATE event_payloads SET payload = "
                   "substr(payload, 1, length(payload) - 4) || X'00000000'"));
  }
  util::StatusOr<StoredEvent> stored = store->GetEvent("evt_damaged");
  ASSERT_EQ(stored.status().code(), util::StatusCode::kDataLoss) << stored.status().ToString();
  EXPECT_NE(stored.status().ToString().find("evt_damaged"), std::string::npos);
}

TEST(EventPayloadsTest, DeletingAnEventDeletesItsPayload) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
  ASSERT_OK(store->InsertEvent(MakeEvent("evt_keep", 1)).status());
  ASSERT_OK(store->InsertEvent(MakeEvent("evt_gone", 2)).status());
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(fixture.path(), {}));
    ASSERT_OK(conn->Exec("DELETE FROM events WHERE id = 'evt_gone'"));
  }
  EXPECT_EQ(QueryInt(fixture.path(), "SELECT count(*) FROM event_payloads"), 1);
  ASSERT_OK_AND_ASSIGN(StoredEvent kept, store->GetEvent("evt_keep"));
  EXPECT_EQ(kept.event.payload, MakeEvent("evt_keep", 1).payload);
}

}  // namespace
}  // namespace stripehook::store
