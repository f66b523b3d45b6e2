// The WAL-buffering VFS: a commit reaches the WAL in a few large writes instead of two per
// page, and nothing else changes — every other connection sees each commit as soon as it
// returns, a process that dies without closing keeps every commit, and a failed write fails
// the commit.
#include "store/sqlite/wal_buffering_vfs.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "store/sqlite/connection.h"
#include "store/sqlite/fault_vfs.h"
#include "store/sqlite/vfs_shim.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store::sqlite {
namespace {

using stripehook::testing::TempDir;

constexpr int kRowsPerCommit = 40;
constexpr int kRowBytes = 3000;  // one page of its own per row, as an event payload has

// A VFS under the one tested that counts the writes reaching WAL files and notes how far into
// the WAL they had reached when it was last synced.
std::atomic<int> wal_writes{0};
std::atomic<int64_t> wal_written_end{0};
std::atomic<int64_t> wal_synced_end{0};

int CountingWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  ++wal_writes;
  int64_t end = off + n;
  if (end > wal_written_end) wal_written_end = end;
  return RealFile(f)->pMethods->xWrite(RealFile(f), buf, n, off);
}

int CountingSync(sqlite3_file* f, int flags) {
  wal_synced_end = wal_written_end.load();
  return RealFile(f)->pMethods->xSync(RealFile(f), flags);
}

const sqlite3_io_methods kCountingWal = [] {
  sqlite3_io_methods methods = ForwardingIoMethods();
  methods.xWrite = CountingWrite;
  methods.xSync = CountingSync;
  return methods;
}();
const sqlite3_io_methods kForwarding = ForwardingIoMethods();

int CountingOpen(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                 int* out_flags) {
  const sqlite3_io_methods* methods = (flags & SQLITE_OPEN_WAL) != 0 ? &kCountingWal : &kForwarding;
  return OpenShimFile(AsShimVfs(vfs).base, name, file, sizeof(ShimFile), flags, out_flags, methods);
}

std::string CountingVfs() {
  auto name = RegisterShimVfs("test-counting", "", sizeof(ShimFile), CountingOpen);
  EXPECT_OK(name);
  return name.ok() ? *name : "";
}

std::unique_ptr<Connection> OpenWith(const std::string& path, const std::string& vfs,
                                     const std::string& synchronous = "FULL") {
  ConnectionOptions options;
  options.vfs = vfs;
  auto conn = Connection::Open(path, options);
  EXPECT_OK(conn);
  if (!conn.ok()) return nullptr;
  EXPECT_OK((*conn)->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; "
      "PRAGMA synchronous=" +
      synchronous + "; CREATE TABLE IF NOT EXISTS t(n INTEGER PRIMARY KEY, body BLOB)"));
  return std::move(conn).value();
}

util::Status CommitRows(Connection& conn, int first) {
  SH_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
  for (int n = first; n < first + kRowsPerCommit; ++n) {
    util::Status inserted = conn.Exec("INSERT INTO t VALUES(" + std::to_string(n) + ", zeroblob(" +
                                      std::to_string(kRowBytes) + "))");
    if (!inserted.ok()) {
      (void)conn.Exec("ROLLBACK");
      return inserted;
    }
  }
  util::Status committed = conn.Exec("COMMIT");
  if (!committed.ok() && conn.InTransaction()) (void)conn.Exec("ROLLBACK");
  return committed;
}

// -1 when the rows cannot be read (a reader that found pages missing from the WAL).
int64_t Count(Connection& conn) {
  auto stmt = conn.Prepare("SELECT count(*), coalesce(sum(length(body)), 0) FROM t");
  EXPECT_OK(stmt);
  if (!stmt.ok()) return -1;
  auto row = stmt->Step();
  EXPECT_OK(row);
  if (!row.ok() || !*row) return -1;
  EXPECT_EQ(stmt->ColumnInt64(1), stmt->ColumnInt64(0) * kRowBytes);
  return stmt->ColumnInt64(0);
}

std::string IntegrityCheck(Connection& conn) {
  auto stmt = conn.Prepare("PRAGMA integrity_check");
  if (!stmt.ok()) return stmt.status().ToString();
  auto row = stmt->Step();
  if (!row.ok()) return row.status().ToString();
  return stmt->ColumnString(0);
}

TEST(WalBufferingVfsTest, ACommitOfFortyPagesReachesTheWalInAFewWrites) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::string buffering, WalBufferingVfs(CountingVfs()));

  auto plain = OpenWith(dir.File("plain.db"), CountingVfs());
  ASSERT_OK(CommitRows(*plain, 0));  // the first commit also writes the WAL header
  wal_writes = 0;
  ASSERT_OK(CommitRows(*plain, kRowsPerCommit));
  const int plain_writes = wal_writes.exchange(0);

  auto gathered = OpenWith(dir.File("gathered.db"), buffering);
  ASSERT_OK(CommitRows(*gathered, 0));
  wal_writes = 0;
  ASSERT_OK(CommitRows(*gathered, kRowsPerCommit));
  const int gathered_writes = wal_writes.exchange(0);

  // SQLite writes a frame's header and its page separately: two writes per page.
  EXPECT_GE(plain_writes, 2 * kRowsPerCommit);
  // 40-odd frames of 4,120 bytes are ~170 KB: two pieces of at most 124 KB.
  EXPECT_LE(gathered_writes, 3);
  EXPECT_GE(gathered_writes, 1);
}

// Durability: a commit's frames are in the file before its sync, not after (a process that
// dies keeps them in the page cache either way; a machine that loses power does not).
TEST(WalBufferingVfsTest, EveryCommitIsWrittenBeforeItsSync) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  ASSERT_OK_AND_ASSIGN(std::string buffering, WalBufferingVfs(CountingVfs()));
  auto writer = OpenWith(path, buffering);
  for (int commit = 0; commit < 5; ++commit) {
    wal_written_end = 0;
    wal_synced_end = 0;
    ASSERT_OK(CommitRows(*writer, commit * kRowsPerCommit));
    const auto wal_size = static_cast<int64_t>(std::filesystem::file_size(path + "-wal"));
    EXPECT_GT(wal_synced_end.load(), 0) << "commit " << commit;
    EXPECT_EQ(wal_synced_end.load(), wal_written_end.load()) << "commit " << commit;
    EXPECT_EQ(wal_synced_end.load(), wal_size) << "commit " << commit;
  }
}

class WalBufferingVisibilityTest : public ::testing::TestWithParam<std::string> {};

// With synchronous=FULL the commit's sync writes the frames out; with NORMAL there is no sync
// and only the barrier SQLite raises when it publishes them does. Either way a reader on the
// default VFS (its own file handles) must find every committed row, and the checkpoints that
// copy the WAL into the database must copy the real pages.
TEST_P(WalBufferingVisibilityTest, AnotherConnectionSeesEveryCommitAtOnce) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  ASSERT_OK_AND_ASSIGN(std::string buffering, WalBufferingVfs(""));
  auto writer = OpenWith(path, buffering, GetParam());
  auto reader = OpenWith(path, "");
  for (int commit = 0; commit < 30; ++commit) {
    ASSERT_OK(CommitRows(*writer, commit * kRowsPerCommit));
    ASSERT_EQ(Count(*reader), (commit + 1) * kRowsPerCommit) << "after commit " << commit;
    if (commit % 10 == 9) {
      ASSERT_OK(writer->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    if (commit % 10 == 4) {
      ASSERT_OK(reader->Exec("PRAGMA wal_checkpoint(PASSIVE)"));
    }
  }
  EXPECT_EQ(IntegrityCheck(*reader), "ok");
  writer.reset();
  reader.reset();
  auto reopened = OpenWith(path, "");
  EXPECT_EQ(Count(*reopened), 30 * kRowsPerCommit);
}

INSTANTIATE_TEST_SUITE_P(Synchronous, WalBufferingVisibilityTest,
                         ::testing::Values("FULL", "NORMAL"));

TEST(WalBufferingVfsTest, AProcessThatDiesWithoutClosingKeepsEveryCommit) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  ASSERT_OK_AND_ASSIGN(std::string buffering, WalBufferingVfs(""));
  constexpr int kCommits = 12;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto writer = OpenWith(path, buffering);
    for (int commit = 0; commit < kCommits; ++commit) {
      if (!CommitRows(*writer, commit * kRowsPerCommit).ok()) _exit(2);
    }
    // A transaction in progress, its frames gathered and not synced, when the process dies.
    if (!writer->Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES(-1, zeroblob(3000))").ok()) _exit(3);
    _exit(0);  // no close, no destructor: the gathered bytes die with the process
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto reader = OpenWith(path, "");
  EXPECT_EQ(Count(*reader), kCommits * kRowsPerCommit);
  EXPECT_EQ(IntegrityCheck(*reader), "ok");
}

int FileControl(Connection& conn, int op, int* arg) {
  return sqlite3_file_control(conn.handle(), "main", op, arg);
}

bool SyncOwed(Connection& conn) {
  int owed = -1;
  EXPECT_EQ(FileControl(conn, kWalSyncOwedFcntl, &owed), SQLITE_OK);
  return owed == 1;
}

// A deferred sync: the commit's frames go to the file (another connection reads them from
// there) but the fdatasync is owed, until kSyncOwedWalFcntl or any later sync makes it up.
TEST(WalBufferingVfsTest, ADeferredSyncWritesTheFramesAndOwesTheSync) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  ASSERT_OK_AND_ASSIGN(std::string buffering, WalBufferingVfs(CountingVfs()));
  auto writer = OpenWith(path, buffering);
  auto reader = OpenWith(path, "");
  ASSERT_OK(CommitRows(*writer, 0));
  EXPECT_FALSE(SyncOwed(*writer));

  int on = 1;
  ASSERT_EQ(FileControl(*writer, kDeferWalSyncFcntl, &on), SQLITE_OK);
  wal_written_end = 0;  // the counters are shared by every file of the counting VFS
  wal_synced_end = 0;
  ASSERT_OK(CommitRows(*writer, kRowsPerCommit));
  const auto wal_size = static_cast<int64_t>(std::filesystem::file_size(path + "-wal"));
  EXPECT_EQ(wal_written_end.load(), wal_size);  // written out at the commit
  EXPECT_EQ(wal_synced_end.load(), 0);          // not synced
  EXPECT_TRUE(SyncOwed(*writer));
  EXPECT_EQ(Count(*reader), 2 * kRowsPerCommit);

  ASSERT_EQ(FileControl(*writer, kSyncOwedWalFcntl, nullptr), SQLITE_OK);
  EXPECT_EQ(wal_synced_end.load(), wal_size);
  EXPECT_FALSE(SyncOwed(*writer));

  // Owed again, then made up by the next commit that syncs.
  ASSERT_OK(CommitRows(*writer, 2 * kRowsPerCommit));
  EXPECT_TRUE(SyncOwed(*writer));
  int off = 0;
  ASSERT_EQ(FileControl(*writer, kDeferWalSyncFcntl, &off), SQLITE_OK);
  ASSERT_OK(CommitRows(*writer, 3 * kRowsPerCommit));
  EXPECT_FALSE(SyncOwed(*writer));
  EXPECT_EQ(wal_synced_end.load(), static_cast<int64_t>(std::filesystem::file_size(path + "-wal")));
  EXPECT_EQ(Count(*reader), 4 * kRowsPerCommit);
}

// Another VFS does not know the controls: the group-commit writer then never defers.
TEST(WalBufferingVfsTest, AnotherVfsDoesNotAnswerTheControls) {
  TempDir dir;
  auto plain = OpenWith(dir.File("plain.db"), "");
  int owed = 0;
  EXPECT_EQ(FileControl(*plain, kWalSyncOwedFcntl, &owed), SQLITE_NOTFOUND);
}

class WalBufferingFaultTest : public ::testing::TestWithParam<bool> {};

// With the sync deferred or not, a failed write fails the commit: deferring the sync does not
// defer the write.
TEST_P(WalBufferingFaultTest, AWriteThatFailsFailsTheCommitAndTheNextOneSucceeds) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  const std::string fault_file = dir.File("disk-full");
  ASSERT_OK_AND_ASSIGN(std::string fault, FaultInjectingVfs(fault_file));
  ASSERT_OK_AND_ASSIGN(std::string buffering, WalBufferingVfs(fault));
  auto writer = OpenWith(path, buffering);
  auto reader = OpenWith(path, "");
  ASSERT_OK(CommitRows(*writer, 0));
  int defer = GetParam() ? 1 : 0;
  ASSERT_EQ(FileControl(*writer, kDeferWalSyncFcntl, &defer), SQLITE_OK);

  std::ofstream(fault_file) << "full";
  // The writes are gathered; the failure surfaces when they go out, at the commit's sync.
  EXPECT_FALSE(CommitRows(*writer, 1000).ok());
  EXPECT_FALSE(writer->InTransaction());
  EXPECT_FALSE(SyncOwed(*writer));
  std::filesystem::remove(fault_file);

  EXPECT_EQ(Count(*reader), kRowsPerCommit);
  ASSERT_OK(CommitRows(*writer, 2000));
  EXPECT_EQ(Count(*reader), 2 * kRowsPerCommit);
  ASSERT_OK(writer->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  EXPECT_EQ(IntegrityCheck(*reader), "ok");
  EXPECT_EQ(Count(*reader), 2 * kRowsPerCommit);
}

INSTANTIATE_TEST_SUITE_P(DeferredSync, WalBufferingFaultTest, ::testing::Bool());

}  // namespace
}  // namespace stripehook::store::sqlite
