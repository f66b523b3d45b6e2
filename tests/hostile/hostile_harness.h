#pragma once

// Helpers for the hostile-input tests: a real `stripehook serve` (integration/ingest_harness.h)
// shared by the tests of a suite, raw-socket exchanges that do not go through any HTTP library,
// and a row count of every table, so "changes nothing" is checked on the database itself.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/time.h>

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "integration/ingest_harness.h"

namespace stripehook::testing {

inline constexpr char kHostileAppKey[] = "app-key-hostile-0123456789abcdef";
inline constexpr char kHostileAdminKey[] = "admin-key-hostile-0123456789abcdef";

// Rows per table of the SQLite file (read directly, not through our store).
inline std::map<std::string, int64_t> RowCounts(const std::string& db_path) {
  std::map<std::string, int64_t> counts;
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  for (const std::string& table : tables) {
    std::string sql = "SELECT count(*) FROM \"" + table + "\"";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      counts[table] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return counts;
}

// Writes `bytes` on a fresh connection, optionally half-closes, and reads until the server
// closes (or 30 s of silence). Returns everything the server sent.
inline std::string RawExchange(uint16_t port, const std::string& bytes, bool half_close = true) {
  HttpClient client(port);
  if (!client.Connect()) return "";
  timeval timeout{30, 0};
  ::setsockopt(client.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  client.SendAll(bytes);  // the server may close before taking everything: fine
  if (half_close) ::shutdown(client.fd(), SHUT_WR);
  std::string answer;
  char buf[16384];
  ssize_t n;
  while ((n = ::recv(client.fd(), buf, sizeof buf, 0)) > 0) {
    answer.append(buf, static_cast<size_t>(n));
  }
  return answer;
}

// The status codes of every response in a raw answer, in order.
inline std::vector<int> Statuses(const std::string& raw) {
  std::vector<int> statuses;
  std::regex status_line(R"(HTTP/1\.1 (\d{3}) )");
  for (auto it = std::sregex_iterator(raw.begin(), raw.end(), status_line);
       it != std::sregex_iterator(); ++it) {
    statuses.push_back(std::stoi((*it)[1]));
  }
  return statuses;
}

// The `error.code` of a JSON error body, or "" when the body is not our error shape.
inline std::string ErrorCode(const std::string& body) {
  std::smatch m;
  static const std::regex code(R"re(\{"error":\{"code":"([a-z_]+)")re");
  return std::regex_search(body, m, code) ? m[1].str() : "";
}

// One real server for a whole test suite, with the app and admin keys configured.
class HostileServerTest : public ::testing::Test {
 protected:
  static void StartServer(const std::string& toml) {
    fx_ = new ServerFixture();
    fx_->env["STRIPEHOOK_APP_KEY"] = kHostileAppKey;
    fx_->env["STRIPEHOOK_ADMIN_KEY"] = kHostileAdminKey;
    ASSERT_TRUE(fx_->Start(toml)) << fx_->server->ReadLog();
  }
  static void TearDownTestSuite() {
    if (fx_ && fx_->server) {
      EXPECT_EQ(fx_->server->Terminate(), 0) << fx_->server->ReadLog();
    }
    delete fx_;
    fx_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(fx_, nullptr);
    before_ = RowCounts(fx_->db_path);
    ASSERT_FALSE(before_.empty()) << "no tables in " << fx_->db_path;
  }
  // Every hostile request must leave every table as it was.
  void ExpectNothingChanged() { EXPECT_EQ(RowCounts(fx_->db_path), before_); }
  // The server still answers an ordinary request on a new connection.
  void ExpectStillServing() {
    HttpClient fine(fx_->port());
    EXPECT_EQ(fine.Get("/healthz").status, 200);
  }
  uint16_t port() const { return fx_->port(); }

  static inline ServerFixture* fx_ = nullptr;
  std::map<std::string, int64_t> before_;
};

}  // namespace stripehook::testing
