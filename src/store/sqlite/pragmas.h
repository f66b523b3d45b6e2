#pragma once

#include <cstdint>

#include "store/sqlite/connection.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

struct WriterTuning {
  int64_t cache_kib = 65536;              // page cache of the writer: keeps the hot index pages
  int64_t wal_autocheckpoint = 4000;      // pages (of 4 KiB); see sqlite_store.cpp for the numbers
  int64_t journal_size_limit = 64 << 20;  // bytes the WAL is truncated back to after a checkpoint
};

// For the connection that writes: fixes the page size of a new file, switches it to WAL (the
// mode persists in the file), and sets synchronous=FULL so that a COMMIT that returned has been
// fsync'd: the durability contract of Store. kUnavailable if the file cannot enter WAL mode.
util::Status ConfigureWriter(Connection& conn, const WriterTuning& tuning);

// For read-only connections: a smaller cache; WAL readers never block the writer.
util::Status ConfigureReader(Connection& conn, int64_t cache_kib);

}  // namespace stripehook::store::sqlite
