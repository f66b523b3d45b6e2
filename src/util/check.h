#pragma once

// Invariants of our own code. A failed check is a bug, never bad input: it logs and aborts.
// SH_CHECK is always on; SH_DCHECK only in debug builds.

namespace stripehook::util {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}  // namespace stripehook::util

#define SH_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::stripehook::util::CheckFailed(#cond, __FILE__, __LINE__))

#ifdef NDEBUG
#define SH_DCHECK(cond) static_cast<void>(0)
#else
#define SH_DCHECK(cond) SH_CHECK(cond)
#endif
