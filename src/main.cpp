#include <malloc.h>

#include <csignal>

#include "app/cli.h"

int main(int argc, char** argv) {
  // A peer that closes its socket while we write to it (redis-server restarting under a hiredis
  // connection, a receiver gone mid-request) must fail that write with EPIPE, not kill the whole
  // process with SIGPIPE's default action (found by tests/faults/receivers_down.py).
  std::signal(SIGPIPE, SIG_IGN);
  // glibc gives the free top of a thread's heap back to the kernel (madvise) once it passes the
  // trim threshold, and the next batch page-faults it in again. A processing round allocates and
  // frees a few MB at a time (256 claimed events and their payloads), so on PostgreSQL that cycle
  // was ~12 % of the server's CPU (perf: sysmalloc, its page faults, madvise). Fixed thresholds
  // keep up to 64 MB of free heap per arena; peak memory is unchanged.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  return stripehook::app::RunCli(argc, argv);
}
