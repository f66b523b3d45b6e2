#pragma once

// Clang thread-safety annotations; no-ops under g++.
#if defined(__clang__)
#define SH_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SH_THREAD_ANNOTATION(x)
#endif

#define GUARDED_BY(x) SH_THREAD_ANNOTATION(guarded_by(x))
#define REQUIRES(...) SH_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) SH_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
