#include <csignal>

#include "app/cli.h"

// A peer that closes its socket while we write to it (redis-server restarting under a hiredis
// connection, a receiver gone mid-request) must fail that write with EPIPE, not kill the whole
// process with SIGPIPE's default action (found by tests/faults/receivers_down.py).
int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  return stripehook::app::RunCli(argc, argv);
}
