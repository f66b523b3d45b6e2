#include "store/sqlite/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store::sqlite {
namespace {

using store::testing::MakeEvent;
using store::testing::StoreFixture;

std::vector<int64_t> AppliedVersions(const std::string& path) {
  auto conn = Connection::Open(path, {});
  EXPECT_OK(conn);
  if (!conn.ok()) return {};
  auto stmt = (*conn)->Prepare("SELECT version FROM schema_migrations ORDER BY version");
  EXPECT_OK(stmt);
  std::vector<int64_t> versions;
  while (stmt.ok() && stmt->Step().value()) versions.push_back(stmt->ColumnInt64(0));
  return versions;
}

std::vector<int64_t> KnownVersions() {
  std::vector<int64_t> versions;
  for (const Migration& m : Migrations()) versions.push_back(m.version);
  return versions;
}

TEST(MigrationsTest, VersionsAreConsecutiveFromOne) {
  int expected = 1;
  for (const Migration& m : Migrations()) EXPECT_EQ(m.version, expected++) << m.name;
  EXPECT_GE(Migrations().size(), 1u);
}

TEST(MigrationsTest, MigrateTwiceAppliesEachVersionOnce) {
  stripehook::testing::TempDir dir;
  const std::string path = dir.File("m.db");
  ASSERT_OK(MigrateSqlite(path));
  ASSERT_OK(MigrateSqlite(path));
  EXPECT_EQ(AppliedVersions(path), KnownVersions());
}

TEST(MigrationsTest, ConcurrentMigratorsApplyEachVersionOnce) {
  stripehook::testing::TempDir dir;
  const std::string path = dir.File("race.db");
  std::vector<util::Status> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = MigrateSqlite(path); });
  }
  for (std::thread& t : threads) t.join();
  for (const util::Status& s : results) EXPECT_OK(s);
  EXPECT_EQ(AppliedVersions(path), KnownVersions());
}

TEST(MigrationsTest, OpeningTwiceKeepsDataAndSchemaRows) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  {
    ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
    ASSERT_OK(store->InsertEvent(MakeEvent("evt_1")));
  }
  ASSERT_OK(MigrateSqlite(fixture.path()));
  {
    ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
    ASSERT_OK_AND_ASSIGN(int64_t count, store->CountEvents());
    EXPECT_EQ(count, 1);
  }
  EXPECT_EQ(AppliedVersions(fixture.path()), KnownVersions());
}

TEST(MigrationsTest, FileIsInWalMode) {
  stripehook::testing::TempDir dir;
  const std::string path = dir.File("wal.db");
  ASSERT_OK(MigrateSqlite(path));
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(path, {}));
  ASSERT_OK_AND_ASSIGN(Statement stmt, conn->Prepare("PRAGMA journal_mode"));
  ASSERT_OK_AND_ASSIGN(bool row, stmt.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(stmt.ColumnString(0), "wal");
}

TEST(MigrationsTest, NewerSchemaThanTheBinaryIsRefused) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  ASSERT_OK(MigrateSqlite(fixture.path()));
  {
    ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(fixture.path(), {}));
    ASSERT_OK(conn->Exec(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)"));
  }
  EXPECT_STATUS_CODE(fixture.Open(), kFailedPrecondition);
  EXPECT_STATUS_CODE(MigrateSqlite(fixture.path()), kFailedPrecondition);
}

TEST(MigrationsTest, UnwritableLocationIsUnavailable) {
  EXPECT_STATUS_CODE(MigrateSqlite("/nonexistent-dir/x/y.db"), kUnavailable);
}

}  // namespace
}  // namespace stripehook::store::sqlite
