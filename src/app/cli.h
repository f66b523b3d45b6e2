#pragma once

namespace stripehook::app {

// The `stripehook` command line (CLI11): serve, migrate, sign, verify, send, events. Returns the
// process exit code: 0 success, 1 a failed check or operation, 2 a usage or configuration error.
int RunCli(int argc, char** argv);

}  // namespace stripehook::app
