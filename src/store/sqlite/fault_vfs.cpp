#include "store/sqlite/fault_vfs.h"

#include <sqlite3.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <mutex>

#include "store/sqlite/sqlite_status.h"

namespace stripehook::store::sqlite {
namespace {

struct FaultVfs {
  sqlite3_vfs vfs;  // first member: SQLite hands us back a sqlite3_vfs*
  sqlite3_vfs* base;
  std::string fault_file;
  std::string name;
};

// Our sqlite3_file; the base VFS's file object lives in the same allocation right after it.
struct FaultFile {
  sqlite3_file header;
  FaultVfs* owner;
  sqlite3_file* real;
};

FaultFile* Cast(sqlite3_file* file) { return reinterpret_cast<FaultFile*>(file); }
sqlite3_file* Real(sqlite3_file* file) { return Cast(file)->real; }
bool Faulty(sqlite3_file* file) {
  return ::access(Cast(file)->owner->fault_file.c_str(), F_OK) == 0;
}

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (Faulty(f)) return SQLITE_FULL;
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (Faulty(f)) return SQLITE_IOERR_TRUNCATE;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (Faulty(f)) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int lock) { return Real(f)->pMethods->xLock(Real(f), lock); }
int Unlock(sqlite3_file* f, int lock) { return Real(f)->pMethods->xUnlock(Real(f), lock); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int remove) { return Real(f)->pMethods->xShmUnmap(Real(f), remove); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

// Version 3 methods; only used for files whose real methods are version 3 too (unix VFS).
const sqlite3_io_methods kIoMethods = {3,
                                       Close,
                                       Read,
                                       Write,
                                       Truncate,
                                       Sync,
                                       FileSize,
                                       Lock,
                                       Unlock,
                                       CheckReservedLock,
                                       FileControl,
                                       SectorSize,
                                       DeviceCharacteristics,
                                       ShmMap,
                                       ShmLock,
                                       ShmBarrier,
                                       ShmUnmap,
                                       Fetch,
                                       Unfetch};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  FaultVfs* owner = reinterpret_cast<FaultVfs*>(vfs);
  FaultFile* ours = Cast(file);
  ours->owner = owner;
  ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
  int rc = owner->base->xOpen(owner->base, name, ours->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open.
  const sqlite3_io_methods* real_methods = ours->real->pMethods;
  if (real_methods == nullptr) {
    ours->header.pMethods = nullptr;
  } else if (real_methods->iVersion < 3) {
    ours->real->pMethods->xClose(ours->real);
    ours->header.pMethods = nullptr;
    return SQLITE_CANTOPEN;
  } else {
    ours->header.pMethods = &kIoMethods;
  }
  return rc;
}

std::unique_ptr<FaultVfs> MakeVfs(sqlite3_vfs* base, const std::string& fault_file) {
  auto made = std::make_unique<FaultVfs>();
  made->base = base;
  made->fault_file = fault_file;
  made->name = "stripehook-fault:" + fault_file;
  made->vfs = *base;  // every method we do not override goes straight to the base VFS
  made->vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + base->szOsFile;
  made->vfs.zName = made->name.c_str();
  made->vfs.pNext = nullptr;
  made->vfs.xOpen = Open;
  return made;
}

}  // namespace

util::StatusOr<std::string> FaultInjectingVfs(const std::string& fault_file) {
  static std::mutex mu;
  static auto* registered = new std::map<std::string, std::unique_ptr<FaultVfs>>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = registered->find(fault_file);
  if (it != registered->end()) return it->second->name;
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  if (base == nullptr) return util::InternalError("no default sqlite VFS");
  std::unique_ptr<FaultVfs> vfs = MakeVfs(base, fault_file);
  int rc = sqlite3_vfs_register(&vfs->vfs, /*makeDflt=*/0);
  if (rc != SQLITE_OK) return SqliteError(rc, nullptr, "register fault VFS");
  std::string name = vfs->name;
  registered->emplace(fault_file, std::move(vfs));
  return name;
}

}  // namespace stripehook::store::sqlite
