#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "store/sqlite/payload_codec.h"
#include "stripe/signature.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace stripehook::testing {

inline constexpr char kSecret[] = "whsec_integration_test_secret_0123456789";

// A realistic event body (about `padding` bytes bigger than the envelope) with the given id.
inline std::string EventBody(const std::string& id, int64_t created = 1763802000,
                             size_t padding = 2500) {
  return "{\n  \"id\": \"" + id +
         "\",\n  \"object\": \"event\",\n  \"api_version\": \"2026-07-29.dahlia\",\n"
         "  \"created\": " +
         std::to_string(created) +
         ",\n  \"livemode\": false,\n  \"type\": \"invoice.paid\",\n  \"data\": {\n"
         "    \"object\": {\n      \"id\": \"in_" +
         id.substr(4) + "\",\n      \"object\": \"invoice\",\n      \"description\": \"" +
         std::string(padding, 'x') + "\"\n    }\n  }\n}";
}

inline std::vector<std::pair<std::string, std::string>> SignedHeaders(const std::string& body,
                                                                      int64_t timestamp) {
  return {{"Content-Type", "application/json"},
          {"Stripe-Signature", stripe::SignatureHeaderFor(kSecret, timestamp, body)}};
}

inline int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads the SQLite file directly (not through our store) to check what really is on disk.
class DbReader {
 public:
  explicit DbReader(const std::string& path) {
    sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
  }
  ~DbReader() { sqlite3_close(db_); }
  int64_t Count(const std::string& where = "1") {
    return QueryInt("SELECT count(*) FROM events WHERE " + where);
  }
  int64_t QueryInt(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    int64_t value = -1;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      value = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return value;
  }
  // The payload as received: the stored blob decoded by the store's codec (payload_codec.h,
  // unit-tested on its own). Empty when the event is not stored or does not decode.
  std::string Payload(const std::string& id) {
    sqlite3_stmt* st = nullptr;
    std::string value;
    // Since migration 6 the payload lives in event_payloads (events.payload is left empty).
    sqlite3_prepare_v2(db_,
                       "SELECT p.payload FROM events e JOIN event_payloads p ON p.seq = e.seq "
                       "WHERE e.id = ?",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
      const void* blob = sqlite3_column_blob(st, 0);
      value.assign(static_cast<const char*>(blob), sqlite3_column_bytes(st, 0));
    }
    sqlite3_finalize(st);
    util::StatusOr<std::string> decoded = store::sqlite::DecodePayload(value);
    return decoded.ok() ? *decoded : std::string();
  }

 private:
  sqlite3* db_ = nullptr;
};

// A temporary directory with a database and a server configured for it.
struct ServerFixture {
  TempDir dir;
  std::string db_path = dir.File("inbox.db");
  std::map<std::string, std::string> env{
      {"STRIPE_WEBHOOK_SECRET", kSecret},
      {"DATABASE_URL", "sqlite://" + db_path},
      {"STRIPEHOOK_LISTEN", "127.0.0.1:0"},
  };
  std::unique_ptr<ServerProcess> server;

  // Writes `toml` (if any) as the config file and starts the server.
  bool Start(const std::string& toml = "") {
    std::vector<std::string> args{"serve"};
    if (!toml.empty()) {
      std::ofstream(dir.File("stripehook.toml")) << toml;
      args = {"serve", "--config", dir.File("stripehook.toml")};
    }
    server = std::make_unique<ServerProcess>(dir.File("server.log"), env, args);
    return server->Start();
  }
  uint16_t port() const { return server->port(); }
};

}  // namespace stripehook::testing
