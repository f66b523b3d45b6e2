#pragma once

#include <string>

#include "util/status.h"

namespace stripehook::store::sqlite {

// Test-only fault injection, in the spirit of leveldb's ErrorEnv: returns the name of a SQLite
// VFS that wraps the default one and, while the file `fault_file` exists, fails every write
// with SQLITE_FULL and every sync with SQLITE_IOERR_FSYNC, as a full disk would. Reads and
// locks pass through, so SQLite's own failure and rollback paths run for real.
//
// The VFS is registered once per distinct `fault_file` and lives until the process exits.
// Thread-safe.
util::StatusOr<std::string> FaultInjectingVfs(const std::string& fault_file);

}  // namespace stripehook::store::sqlite
