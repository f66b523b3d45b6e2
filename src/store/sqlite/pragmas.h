#pragma once

#include <cstdint>

#include "store/sqlite/connection.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

struct WriterTuning {
  // Page cache of the writer. Random-key index inserts (id, object_id) touch one leaf page per
  // event; 128 MiB keeps both indexes of ~1M events in memory, so inserts do not wait on reads.
  int64_t cache_kib = 131072;
  // WAL pages (4 KiB) after which a commit also checkpoints. 1000, 4000 and 100000 measured the
  // same within noise on the 64-submitter benchmark; 4000 (16 MiB) keeps the WAL short.
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
