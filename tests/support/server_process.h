#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/test_paths.h"

namespace stripehook::testing {

// Runs the real `stripehook` binary as a child process with a chosen environment, its stderr
// (the JSON log) captured to a file. Start() waits for the "listening" log line and reads the
// port the server bound (tests ask for port 0). The destructor kills what is still running.
class ServerProcess {
 public:
  ServerProcess(std::string log_path, std::map<std::string, std::string> env,
                std::vector<std::string> args = {"serve"})
      : log_path_(std::move(log_path)), env_(std::move(env)), args_(std::move(args)) {}
  ~ServerProcess() {
    Kill();
    ArchiveLog();
  }

  // Starts the process and waits up to `timeout` for it to listen. False if it exited or timed out.
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    log_offset_ = LogSize();
    pid_ = Spawn();
    if (pid_ <= 0) return false;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string log = ReadLog().substr(log_offset_);
      size_t at = log.find("\"msg\":\"listening\"");
      if (at != std::string::npos) {
        size_t p = log.find("\"port\":", at);
        if (p != std::string::npos) {
          port_ = static_cast<uint16_t>(std::stoi(log.substr(p + 7)));
          return true;
        }
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = status;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // SIGTERM, then waits for exit; returns the exit code (-1 if killed by a signal or timeout).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    return Wait(timeout);
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  int Wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = status;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Kill();
    return -1;
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string ReadLog() const {
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  size_t LogSize() const { return ReadLog().size(); }

  // Copies this run's part of the log to <build>/test-logs/, where the secrets check that runs
  // last in the suite (scripts/secrets_grep.py) reads it after the test's TempDir is gone.
  void ArchiveLog() const {
    std::string log = ReadLog();
    if (log.size() <= log_offset_) return;
    std::string dir = BinaryDir() + "/test-logs";
    ::mkdir(dir.c_str(), 0755);
    static std::atomic<int> counter{0};
    std::string name = dir + "/server-" + std::to_string(::getpid()) + "-" +
                       std::to_string(counter.fetch_add(1)) + ".log";
    std::ofstream(name, std::ios::binary) << log.substr(log_offset_);
  }

  pid_t Spawn() {
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env_) env_strings.push_back(k + "=" + v);
    if (!env_.count("PATH")) env_strings.push_back("PATH=/usr/bin:/bin");
    std::string binary = StripehookBinary();
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, STDERR_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    std::vector<char*> argv{binary.data()};
    for (std::string& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }

  std::string log_path_;
  std::map<std::string, std::string> env_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int exit_status_ = 0;
  size_t log_offset_ = 0;
};

// Runs the stripehook binary to completion; returns {exit code, stdout+stderr}.
inline std::pair<int, std::string> RunStripehook(const std::vector<std::string>& args,
                                                 const std::map<std::string, std::string>& env) {
  std::string cmd = "env -i PATH=/usr/bin:/bin";
  for (const auto& [k, v] : env) cmd += " '" + k + "=" + v + "'";
  cmd += " '" + StripehookBinary() + "'";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = ::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace stripehook::testing
