#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace stripehook::testing {

// A throwaway PostgreSQL cluster for tests, from Debian's postgresql package: initdb and pg_ctl
// from /usr/lib/postgresql/<newest>/bin, data in a TempDir, listening on a free 127.0.0.1 port
// (and a Unix socket in the TempDir only). PostgreSQL refuses to run as root, so when the test
// runs as root (CI does) every server command runs as the `postgres` user through runuser.
// Settings are PostgreSQL's defaults, fsync and synchronous_commit on. Stopped (fast) and deleted
// by the destructor. Not thread-safe; one per test binary is enough (CreateDatabase isolates
// tests).
class PostgresCluster {
 public:
  PostgresCluster() = default;
  ~PostgresCluster() { Stop(); }
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // initdb + start. Returns false with error() saying why (package missing, port taken, ...).
  bool Init() {
    bin_ = FindBinDir();
    if (bin_.empty()) return Fail("no /usr/lib/postgresql/*/bin/initdb: install `postgresql`");
    if (!PrepareDir()) return false;
    if (RunAsServer({bin_ + "/initdb", "-D", Data(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--locale=C", "--no-sync"}) != 0) {
      return Fail("initdb failed: " + ReadFile(dir_.File("cmd.log")));
    }
    // A port found free may be taken before the server binds it: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = FreePort();
      if (Start()) return true;
    }
    return false;
  }

  // Starts the (stopped) cluster again on the same port; waits until it accepts connections.
  bool Start() {
    const std::string opts = "-p " + std::to_string(port_) + " -c listen_addresses=127.0.0.1 -k " +
                             dir_.path() + " -c max_connections=200";
    if (RunAsServer({bin_ + "/pg_ctl", "-D", Data(), "-l", dir_.File("server.log"), "-w", "-t",
                     "60", "-o", opts, "start"}) != 0) {
      return Fail("pg_ctl start failed: " + ReadFile(dir_.File("server.log")));
    }
    running_ = true;
    return true;
  }

  // Stops the cluster: `mode` is pg_ctl's (fast: disconnect clients, immediate: like a crash).
  bool Stop(const std::string& mode = "fast") {
    if (!running_) return true;
    running_ = false;
    return RunAsServer({bin_ + "/pg_ctl", "-D", Data(), "-m", mode, "-w", "-t", "60", "stop"}) == 0;
  }

  // A new empty database; returns its URL (postgresql://postgres@127.0.0.1:<port>/<name>), or ""
  // with error() set.
  std::string CreateDatabase() {
    static std::atomic<int> counter{0};
    std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    std::string error = Execute(Url("postgres"), "CREATE DATABASE " + name);
    if (!error.empty()) {
      Fail("CREATE DATABASE: " + error);
      return "";
    }
    return Url(name);
  }

  // Runs `sql` on the database at `url`; returns "" or the error message.
  static std::string Execute(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
      error = PQerrorMessage(conn);
    } else {
      PGresult* res = PQexec(conn, sql.c_str());
      ExecStatusType st = PQresultStatus(res);
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) error = PQresultErrorMessage(res);
      PQclear(res);
    }
    PQfinish(conn);
    return error;
  }

  // The first column of the first row of `sql`, as an integer (-1 on any error).
  static int64_t QueryInt(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    int64_t value = -1;
    if (PQstatus(conn) == CONNECTION_OK) {
      PGresult* res = PQexec(conn, sql.c_str());
      if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
        value = std::stoll(PQgetvalue(res, 0, 0));
      }
      PQclear(res);
    }
    PQfinish(conn);
    return value;
  }

  std::string Url(const std::string& db) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }
  int port() const { return port_; }
  const std::string& error() const { return error_; }

 private:
  std::string Data() const { return dir_.File("data"); }

  bool Fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  static std::string FindBinDir() {
    glob_t found{};
    std::string best;
    if (::glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &found) == 0) {
      std::vector<std::string> paths(found.gl_pathv, found.gl_pathv + found.gl_pathc);
      // Newest major version: compare the numbers, not the strings ("9" > "15").
      auto version = [](const std::string& p) { return std::stoi(p.substr(20)); };
      best = *std::max_element(paths.begin(), paths.end(), [&](const auto& a, const auto& b) {
        return version(a) < version(b);
      });
      best = best.substr(0, best.size() - 7);  // drop "/initdb"
    }
    ::globfree(&found);
    return best;
  }

  // As root, the whole TempDir belongs to `postgres`, which the server runs as.
  bool PrepareDir() {
    if (dir_.path().empty()) return Fail("cannot create a temporary directory");
    if (::geteuid() != 0) return true;
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) return Fail("no `postgres` user (it comes with the postgresql package)");
    if (::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) return Fail("chown failed");
    return true;
  }

  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
  }

  // Runs a server command (as `postgres` when we are root); its output goes to cmd.log.
  int RunAsServer(std::vector<std::string> args) {
    if (::geteuid() == 0) args.insert(args.begin(), {"runuser", "-u", "postgres", "--"});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log = dir_.File("cmd.log");
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  TempDir dir_;
  std::string bin_;
  int port_ = 0;
  bool running_ = false;
  std::string error_;
};

// The cluster shared by the whole test binary: started on first use, stopped at exit. A cluster
// that cannot start fails the test that asked for it.
inline PostgresCluster* SharedPostgresCluster() {
  static std::unique_ptr<PostgresCluster> cluster = [] {
    auto c = std::make_unique<PostgresCluster>();
    if (!c->Init()) ADD_FAILURE() << "PostgreSQL cluster: " << c->error();
    return c;
  }();
  return cluster.get();
}

}  // namespace stripehook::testing
