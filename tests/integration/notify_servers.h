#pragma once

// Real servers for the notify integration tests, started on loopback by the test and stopped by
// its destructor: the node Standard Webhooks receiver (tests/notify_receiver/receiver.js), an
// aiosmtpd sink saving messages to a folder (smtp_sink.py) and redis-server on a unix socket.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/test_paths.h"

namespace stripehook::testing {

// Polls `ready` every 20 ms for up to 30 s (generous: the machine is shared and loaded).
template <typename Predicate>
bool WaitFor(Predicate ready, std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

// A child process running `argv` (argv[0] looked up in PATH), output to `log_path`.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, std::string log_path)
      : argv_(std::move(argv)), log_path_(std::move(log_path)) {}
  ~ChildProcess() { Stop(); }

  bool Start() {
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* log = std::fopen(log_path_.c_str(), "a");
      if (log != nullptr) {
        ::dup2(::fileno(log), 1);
        ::dup2(::fileno(log), 2);
      }
      std::vector<char*> args;
      for (std::string& a : argv_) args.push_back(a.data());
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    return pid_ > 0;
  }
  // SIGTERM, then SIGKILL after 10 s; waits for the exit.
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }
  // Waits up to 30 s for the exit; the exit code, or -1 (killed, signalled or still running).
  int WaitExit() {
    if (pid_ <= 0) return -1;
    int status = 0;
    bool done = WaitFor([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; });
    if (!done) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  bool Exited() {
    int status = 0;
    return pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) == pid_;
  }
  std::string Log() const { return ReadFile(log_path_); }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// A server that writes its port to a file once it listens.
class PortFileServer {
 public:
  PortFileServer(std::vector<std::string> argv, const std::string& dir, const std::string& name)
      : port_file_(dir + "/" + name + ".port"),
        process_(Append(argv, port_file_), dir + "/" + name + ".log") {}
  // Empty string when it started and listens; else what went wrong.
  std::string Start() {
    std::filesystem::remove(port_file_);
    if (!process_.Start()) return "fork failed";
    bool up = WaitFor([&] { return std::filesystem::exists(port_file_) || process_.Exited(); });
    if (!up || !std::filesystem::exists(port_file_)) return "did not listen: " + process_.Log();
    port_ = std::stoi(ChildProcess::ReadFile(port_file_));
    return "";
  }
  void Stop() { process_.Stop(); }
  int port() const { return port_; }

 private:
  static std::vector<std::string> Append(std::vector<std::string> argv, const std::string& pf) {
    argv.push_back("--port-file");
    argv.push_back(pf);
    return argv;
  }
  std::string port_file_;
  ChildProcess process_;
  int port_ = 0;
};

inline std::string NotifyReceiverDir() {
  return std::string(STRIPEHOOK_SOURCE_DIR) + "/tests/notify_receiver";
}

}  // namespace stripehook::testing
