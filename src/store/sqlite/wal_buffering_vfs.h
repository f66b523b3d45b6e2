#pragma once

#include <string>

#include "util/status.h"

namespace stripehook::store::sqlite {

// Returns the name of a SQLite VFS that wraps `base_vfs` (empty: the default VFS) and gathers
// the writes to a WAL file in memory until SQLite syncs it.
//
// Why: SQLite writes each WAL frame with two write system calls (its 24-byte header, then the
// page), so a commit of 40 pages made 80 of them; on a virtual machine where a system call costs
// a few microseconds that was a tenth of the server's CPU at full ingest. Gathered, a commit is
// one write and one fdatasync.
//
// Why it is safe: no other connection can read a frame before SQLite publishes it in the
// wal-index, and a connection with synchronous=FULL syncs the WAL before it publishes a commit;
// the buffer is written out at that sync (and at a read that overlaps it, a size query, a
// truncate, a close and the shared-memory barrier SQLite raises before it publishes, whatever
// the synchronous setting). A process that dies with frames still in memory had not committed
// them, which is what SQLite's recovery assumes of a WAL whose tail is missing.
//
// Registered once per base and lives until the process exits. Thread-safe to obtain; each file
// is used by one connection at a time, as SQLite guarantees.
util::StatusOr<std::string> WalBufferingVfs(const std::string& base_vfs);

// File controls this VFS answers on the main database file of a connection opened through it
// (sqlite3_file_control(db, "main", op, arg)); any other VFS answers SQLITE_NOTFOUND.
//
// Deferred syncs let a commit skip its fdatasync when another sync is sure to follow soon (the
// group-commit writer: a processing commit's sync is made by the next insert commit's, which is
// about a millisecond later under load, instead of costing the writer one of its own). Unlike
// synchronous=NORMAL, the commit's frames are still written out at its sync, so a failed write
// fails the commit instead of being discovered at the barrier where it cannot be reported.
//
// kDeferWalSyncFcntl, arg int*: non-zero, and from now on a sync of the WAL writes the frames out
// and records the sync as owed instead of making it; zero, and syncs are made again.
inline constexpr int kDeferWalSyncFcntl = 0x53480001;
// kWalSyncOwedFcntl, arg int*: set to 1 when a deferred sync has not been made up for yet by a
// later sync of the WAL (any: a commit's, a checkpoint's, kSyncOwedWalFcntl), else 0.
inline constexpr int kWalSyncOwedFcntl = 0x53480002;
// kSyncOwedWalFcntl, arg unused: makes the owed sync now (nothing when none is owed).
inline constexpr int kSyncOwedWalFcntl = 0x53480003;

}  // namespace stripehook::store::sqlite
