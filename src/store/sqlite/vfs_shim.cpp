#include "store/sqlite/vfs_shim.h"

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "store/sqlite/sqlite_status.h"

namespace stripehook::store::sqlite {
namespace {

int Close(sqlite3_file* f) { return RealFile(f)->pMethods->xClose(RealFile(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return RealFile(f)->pMethods->xRead(RealFile(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  return RealFile(f)->pMethods->xWrite(RealFile(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return RealFile(f)->pMethods->xTruncate(RealFile(f), size);
}
int Sync(sqlite3_file* f, int flags) { return RealFile(f)->pMethods->xSync(RealFile(f), flags); }
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return RealFile(f)->pMethods->xFileSize(RealFile(f), size);
}
int Lock(sqlite3_file* f, int lock) { return RealFile(f)->pMethods->xLock(RealFile(f), lock); }
int Unlock(sqlite3_file* f, int lock) { return RealFile(f)->pMethods->xUnlock(RealFile(f), lock); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return RealFile(f)->pMethods->xCheckReservedLock(RealFile(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return RealFile(f)->pMethods->xFileControl(RealFile(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return RealFile(f)->pMethods->xSectorSize(RealFile(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return RealFile(f)->pMethods->xDeviceCharacteristics(RealFile(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return RealFile(f)->pMethods->xShmMap(RealFile(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return RealFile(f)->pMethods->xShmLock(RealFile(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { RealFile(f)->pMethods->xShmBarrier(RealFile(f)); }
int ShmUnmap(sqlite3_file* f, int remove) {
  return RealFile(f)->pMethods->xShmUnmap(RealFile(f), remove);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return RealFile(f)->pMethods->xFetch(RealFile(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return RealFile(f)->pMethods->xUnfetch(RealFile(f), off, p);
}

}  // namespace

sqlite3_io_methods ForwardingIoMethods() {
  return {3,
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
}

int OpenShimFile(sqlite3_vfs* base, const char* name, sqlite3_file* file, int extra, int flags,
                 int* out_flags, const sqlite3_io_methods* methods) {
  ShimFile* shim = AsShim(file);
  shim->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + extra);
  int rc = base->xOpen(base, name, shim->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open.
  const sqlite3_io_methods* real_methods = shim->real->pMethods;
  if (real_methods == nullptr) {
    shim->header.pMethods = nullptr;
  } else if (real_methods->iVersion < 3) {
    real_methods->xClose(shim->real);
    shim->header.pMethods = nullptr;
    return SQLITE_CANTOPEN;
  } else {
    shim->header.pMethods = methods;
  }
  return rc;
}

util::StatusOr<std::string> RegisterShimVfs(
    const std::string& name, const std::string& base_name, int file_size,
    int (*open)(sqlite3_vfs*, const char*, sqlite3_file*, int, int*), std::string context) {
  static std::mutex mu;
  static auto* registered = new std::map<std::string, std::unique_ptr<ShimVfs>>();
  std::lock_guard<std::mutex> lock(mu);
  if (registered->count(name) != 0) return name;
  sqlite3_vfs* base = sqlite3_vfs_find(base_name.empty() ? nullptr : base_name.c_str());
  if (base == nullptr) return util::InternalError("no SQLite VFS named '" + base_name + "'");
  auto made = std::make_unique<ShimVfs>();
  made->base = base;
  made->name = name;
  made->context = std::move(context);
  made->vfs = *base;  // every method the shim does not replace goes straight to the base
  made->vfs.szOsFile = file_size + base->szOsFile;
  made->vfs.zName = made->name.c_str();
  made->vfs.pNext = nullptr;
  made->vfs.xOpen = open;
  int rc = sqlite3_vfs_register(&made->vfs, /*makeDflt=*/0);
  if (rc != SQLITE_OK) return SqliteError(rc, nullptr, "register VFS " + name);
  registered->emplace(name, std::move(made));
  return name;
}

}  // namespace stripehook::store::sqlite
