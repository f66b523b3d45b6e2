#pragma once

#include <cstdint>

#include "store/sqlite/connection.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

struct WriterTuning {
  // Page cache of the writer. Random-key index inserts (id, object_id) touch one leaf page per
  // event, but index entries are ~60 bytes, so 16 MiB holds the hot interior and leaf pages of
  // indexes over millions of events; the 3 KB rows are appends that need no cache. The old 128
  // MiB cache was the bulk of the server's 156 MB peak RSS, and filling it cost a malloc and a
  // page fault per new page on the writer thread.
  int64_t cache_kib = 16384;
  // WAL pages (4 KiB) after which a commit also checkpoints, on the committing thread. 0 (off)
  // when a WalCheckpointer checkpoints from a thread of its own instead (SqliteStore does).
  int64_t wal_autocheckpoint = 4000;
  int64_t journal_size_limit = 64 << 20;  // bytes the WAL is truncated back to after a checkpoint
};

// For the connection that writes: fixes the page size of a new file, switches it to WAL (the
// mode persists in the file), and sets synchronous=FULL so that a COMMIT that returned has been
// fsync'd: the durability contract of Store. kUnavailable if the file cannot enter WAL mode.
util::Status ConfigureWriter(Connection& conn, const WriterTuning& tuning);

// For read-only connections: a smaller cache; WAL readers never block the writer.
util::Status ConfigureReader(Connection& conn, int64_t cache_kib);

}  // namespace stripehook::store::sqlite
