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

}  // namespace stripehook::store::sqlite
