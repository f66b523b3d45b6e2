#include "store/sqlite/wal_buffering_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "store/sqlite/vfs_shim.h"

namespace stripehook::store::sqlite {
namespace {

// Past this many gathered bytes the buffer is written out before it grows further: a commit of
// a few hundred pages still takes a handful of writes, and the buffer stays small.
constexpr size_t kMaxGathered = size_t{2} << 20;

// Bytes written to a WAL and not yet passed on, covering [start, start + bytes.size()).
struct Gathered {
  sqlite3_int64 start = 0;
  std::vector<char> bytes;

  sqlite3_int64 end() const { return start + static_cast<sqlite3_int64>(bytes.size()); }
};

struct BufferedFile {
  ShimFile shim;           // first member, see vfs_shim.h
  BufferedFile* wal;       // on a main database file: its open WAL, or null
  BufferedFile* database;  // on a WAL: its main database file, or null
  Gathered* gathered;      // on a WAL: the writes held back; null on other files
  bool defer_sync;         // on a main database file: kDeferWalSyncFcntl is on
  bool sync_owed;          // on a WAL: a deferred sync has not been made up for
  int owed_flags;          // on a WAL: the flags of that sync
};

BufferedFile* AsBuffered(sqlite3_file* file) { return reinterpret_cast<BufferedFile*>(file); }

// The unix VFS writes at most 0x1ffff bytes per call (it masks the length), so the gathered
// bytes go out in pieces of 128 KB less one frame's worth of slack.
constexpr size_t kMaxPiece = 126976;

int WriteGathered(sqlite3_file* real, const Gathered& gathered) {
  for (size_t done = 0; done < gathered.bytes.size();) {
    const size_t piece = std::min(kMaxPiece, gathered.bytes.size() - done);
    int rc = real->pMethods->xWrite(real, gathered.bytes.data() + done, static_cast<int>(piece),
                                    gathered.start + static_cast<sqlite3_int64>(done));
    if (rc != SQLITE_OK) return rc;
    done += piece;
  }
  return SQLITE_OK;
}

// What a failed write-out does with the bytes. Where SQLite hears of the failure, they are
// dropped with the transaction it is about to roll back (the frames were never published and
// the next transaction writes them again); where it cannot hear of it, they are kept for the
// next write, sync or close to report.
enum class OnFailure { kDrop, kKeep };

int WriteOut(BufferedFile* wal, OnFailure on_failure = OnFailure::kDrop) {
  Gathered& gathered = *wal->gathered;
  if (gathered.bytes.empty()) return SQLITE_OK;
  int rc = WriteGathered(wal->shim.real, gathered);
  if (rc == SQLITE_OK || on_failure == OnFailure::kDrop) gathered.bytes.clear();
  return rc;
}

// Writes out what is gathered and syncs the file; a sync owed is then made up for.
int SyncNow(BufferedFile* wal, int flags) {
  if (int rc = WriteOut(wal); rc != SQLITE_OK) return rc;
  int rc = wal->shim.real->pMethods->xSync(wal->shim.real, flags);
  if (rc == SQLITE_OK) wal->sync_owed = false;
  return rc;
}

int WalClose(sqlite3_file* f) {
  BufferedFile* file = AsBuffered(f);
  // A sync still owed is made before the file goes.
  int flushed = file->sync_owed ? SyncNow(file, file->owed_flags) : WriteOut(file);
  delete file->gathered;
  file->gathered = nullptr;
  if (file->database != nullptr) file->database->wal = nullptr;
  int closed = file->shim.real->pMethods->xClose(file->shim.real);
  return flushed != SQLITE_OK ? flushed : closed;
}

int WalRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  BufferedFile* file = AsBuffered(f);
  const Gathered& gathered = *file->gathered;
  if (!gathered.bytes.empty() && off < gathered.end() && off + n > gathered.start) {
    if (int rc = WriteOut(file); rc != SQLITE_OK) return rc;
  }
  return file->shim.real->pMethods->xRead(file->shim.real, buf, n, off);
}

int WalWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  BufferedFile* file = AsBuffered(f);
  Gathered& gathered = *file->gathered;
  const auto size = static_cast<size_t>(n);
  // A write that neither continues nor overwrites what is gathered starts a new run.
  const bool joins = !gathered.bytes.empty() && off >= gathered.start && off <= gathered.end();
  if (!joins || static_cast<size_t>(off - gathered.start) + size > kMaxGathered) {
    if (int rc = WriteOut(file); rc != SQLITE_OK) return rc;
    if (size > kMaxGathered) return file->shim.real->pMethods->xWrite(file->shim.real, buf, n, off);
    gathered.start = off;
  }
  // Overwrite what the write covers, append the rest (a resize would zero it first).
  const auto at = static_cast<size_t>(off - gathered.start);
  const char* in = static_cast<const char*>(buf);
  const size_t overwritten = std::min(size, gathered.bytes.size() - at);
  if (overwritten > 0)
    std::memcpy(gathered.bytes.data() + at, in, overwritten);  // data() may be null
  gathered.bytes.insert(gathered.bytes.end(), in + overwritten, in + size);
  return SQLITE_OK;
}

int WalTruncate(sqlite3_file* f, sqlite3_int64 size) {
  BufferedFile* file = AsBuffered(f);
  if (int rc = WriteOut(file); rc != SQLITE_OK) return rc;
  return file->shim.real->pMethods->xTruncate(file->shim.real, size);
}

int WalSync(sqlite3_file* f, int flags) {
  BufferedFile* file = AsBuffered(f);
  if (file->database != nullptr && file->database->defer_sync) {
    if (int rc = WriteOut(file); rc != SQLITE_OK) return rc;
    file->sync_owed = true;
    file->owed_flags = flags;
    return SQLITE_OK;
  }
  return SyncNow(file, flags);
}

int WalFileSize(sqlite3_file* f, sqlite3_int64* size) {
  BufferedFile* file = AsBuffered(f);
  if (int rc = WriteOut(file); rc != SQLITE_OK) return rc;
  return file->shim.real->pMethods->xFileSize(file->shim.real, size);
}

int DatabaseClose(sqlite3_file* f) {
  BufferedFile* file = AsBuffered(f);
  if (file->wal != nullptr) file->wal->database = nullptr;
  return file->shim.real->pMethods->xClose(file->shim.real);
}

// SQLite raises this barrier between writing the two copies of the wal-index header, that is
// when it publishes frames; they must be in the file by then. With synchronous=FULL the commit's
// sync has already written them and there is nothing left. A failure here cannot be reported.
void DatabaseShmBarrier(sqlite3_file* f) {
  BufferedFile* file = AsBuffered(f);
  if (file->wal != nullptr) WriteOut(file->wal, OnFailure::kKeep);
  file->shim.real->pMethods->xShmBarrier(file->shim.real);
}

int DatabaseFileControl(sqlite3_file* f, int op, void* arg) {
  BufferedFile* file = AsBuffered(f);
  switch (op) {
    case kDeferWalSyncFcntl:
      file->defer_sync = *static_cast<int*>(arg) != 0;
      return SQLITE_OK;
    case kWalSyncOwedFcntl:
      *static_cast<int*>(arg) = file->wal != nullptr && file->wal->sync_owed ? 1 : 0;
      return SQLITE_OK;
    case kSyncOwedWalFcntl:
      if (file->wal == nullptr || !file->wal->sync_owed) return SQLITE_OK;
      return SyncNow(file->wal, file->wal->owed_flags);
    default:
      return file->shim.real->pMethods->xFileControl(file->shim.real, op, arg);
  }
}

const sqlite3_io_methods kWalMethods = [] {
  sqlite3_io_methods methods = ForwardingIoMethods();
  methods.xClose = WalClose;
  methods.xRead = WalRead;
  methods.xWrite = WalWrite;
  methods.xTruncate = WalTruncate;
  methods.xSync = WalSync;
  methods.xFileSize = WalFileSize;
  return methods;
}();

const sqlite3_io_methods kDatabaseMethods = [] {
  sqlite3_io_methods methods = ForwardingIoMethods();
  methods.xClose = DatabaseClose;
  methods.xShmBarrier = DatabaseShmBarrier;
  methods.xFileControl = DatabaseFileControl;
  return methods;
}();

const sqlite3_io_methods kOtherMethods = ForwardingIoMethods();

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  BufferedFile* file = AsBuffered(f);
  file->wal = nullptr;
  file->database = nullptr;
  file->gathered = nullptr;
  file->defer_sync = false;
  file->sync_owed = false;
  file->owed_flags = 0;
  const sqlite3_io_methods* methods = &kOtherMethods;
  if ((flags & SQLITE_OPEN_WAL) != 0) {
    methods = &kWalMethods;
  } else if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
    methods = &kDatabaseMethods;
  }
  int rc =
      OpenShimFile(AsShimVfs(vfs).base, name, f, sizeof(BufferedFile), flags, out_flags, methods);
  if (file->shim.header.pMethods == &kWalMethods) {
    file->gathered = new Gathered();
    // The main database was opened through this VFS too, so its file object is ours.
    sqlite3_file* database = sqlite3_database_file_object(name);
    if (database != nullptr && database->pMethods == &kDatabaseMethods) {
      file->database = AsBuffered(database);
      file->database->wal = file;
    }
  }
  return rc;
}

}  // namespace

util::StatusOr<std::string> WalBufferingVfs(const std::string& base_vfs) {
  const sqlite3_vfs* base = sqlite3_vfs_find(base_vfs.empty() ? nullptr : base_vfs.c_str());
  const std::string base_name = base != nullptr ? base->zName : base_vfs;
  return RegisterShimVfs("stripehook-walbuffer:" + base_name, base_vfs, sizeof(BufferedFile), Open);
}

}  // namespace stripehook::store::sqlite
