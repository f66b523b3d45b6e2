#include "store/sqlite/fault_vfs.h"

#include <sqlite3.h>
#include <unistd.h>

#include "store/sqlite/vfs_shim.h"

namespace stripehook::store::sqlite {
namespace {

struct FaultFile {
  ShimFile shim;  // first member, see vfs_shim.h
  const std::string* fault_file;
};

bool Faulty(sqlite3_file* file) {
  return ::access(reinterpret_cast<FaultFile*>(file)->fault_file->c_str(), F_OK) == 0;
}

int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (Faulty(f)) return SQLITE_FULL;
  return RealFile(f)->pMethods->xWrite(RealFile(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (Faulty(f)) return SQLITE_IOERR_TRUNCATE;
  return RealFile(f)->pMethods->xTruncate(RealFile(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (Faulty(f)) return SQLITE_IOERR_FSYNC;
  return RealFile(f)->pMethods->xSync(RealFile(f), flags);
}

const sqlite3_io_methods kIoMethods = [] {
  sqlite3_io_methods methods = ForwardingIoMethods();
  methods.xWrite = Write;
  methods.xTruncate = Truncate;
  methods.xSync = Sync;
  return methods;
}();

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  const ShimVfs& owner = AsShimVfs(vfs);
  reinterpret_cast<FaultFile*>(file)->fault_file = &owner.context;
  return OpenShimFile(owner.base, name, file, sizeof(FaultFile), flags, out_flags, &kIoMethods);
}

}  // namespace

util::StatusOr<std::string> FaultInjectingVfs(const std::string& fault_file) {
  return RegisterShimVfs("stripehook-fault:" + fault_file, /*base_name=*/"", sizeof(FaultFile),
                         Open, fault_file);
}

}  // namespace stripehook::store::sqlite
