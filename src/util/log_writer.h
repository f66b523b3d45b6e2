#pragma once

#include <string>
#include <string_view>

namespace stripehook::util {

// Writes finished log lines to stderr from a background thread, so a thread that logs (the
// store's writer thread logs every acknowledged webhook) never waits on write(2). Lines keep
// their order and are written whole, many per write(2): after a first line the thread gathers
// for up to 2 ms (or 64 KiB) before writing, so a line reaches stderr at most ~2 ms late and the
// thread wakes at most ~500 times a second however many lines come. When more than 4 MiB is
// pending the caller writes its line itself (bounded memory; order across threads is then not
// guaranteed).
// Pending lines are flushed at exit(); a SIGKILL loses at most what is pending. Thread-safe.
void EnqueueLogLine(std::string&& line);

// Writes everything pending now, from the calling thread (used before abort()).
void FlushLogLines();

}  // namespace stripehook::util
