#pragma once

#include <sqlite3.h>

#include <string>

#include "util/status.h"

namespace stripehook::store::sqlite {

// The file object of a VFS that wraps another one. The wrapped VFS's own file object lives in
// the same allocation right after the shim's, so a shim VFS sets its szOsFile to
// sizeof(its file) + base->szOsFile and its file struct starts with a ShimFile.
struct ShimFile {
  sqlite3_file header;  // first member: SQLite hands us back a sqlite3_file*
  sqlite3_file* real;
};

inline ShimFile* AsShim(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file); }
inline sqlite3_file* RealFile(sqlite3_file* file) { return AsShim(file)->real; }

// Version 3 io methods that forward every call to the wrapped file; a shim copies them and
// replaces the calls it changes.
sqlite3_io_methods ForwardingIoMethods();

// Opens `name` with `base` into the wrapped part of `file` (which must be `extra` bytes past
// the start of `file`, the size of the shim's own struct) and installs `methods` when the
// real file is open. Version 3 real methods are required (the unix VFS has them).
int OpenShimFile(sqlite3_vfs* base, const char* name, sqlite3_file* file, int extra, int flags,
                 int* out_flags, const sqlite3_io_methods* methods);

// A registered shim VFS: SQLite's struct first (SQLite hands back a sqlite3_vfs*), the VFS it
// wraps, and what its files need to know (`context`, e.g. a path).
struct ShimVfs {
  sqlite3_vfs vfs;
  sqlite3_vfs* base;
  std::string name;
  std::string context;
};

inline const ShimVfs& AsShimVfs(sqlite3_vfs* vfs) { return *reinterpret_cast<ShimVfs*>(vfs); }

// The first time `name` is asked for, registers a VFS of that name over the one named
// `base_name` (empty: the default) whose files are `file_size` bytes of shim plus the base's
// own, opened by `open`; every method but xOpen is the base's. Returns `name`. The VFS lives
// until the process exits. Thread-safe.
util::StatusOr<std::string> RegisterShimVfs(
    const std::string& name, const std::string& base_name, int file_size,
    int (*open)(sqlite3_vfs*, const char*, sqlite3_file*, int, int*), std::string context = "");

}  // namespace stripehook::store::sqlite
