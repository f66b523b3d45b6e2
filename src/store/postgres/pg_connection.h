#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/status.h"

namespace stripehook::store::postgres {

// Owns one PGresult; frees it on destruction. Values are read in text format, except columns
// the query returns as bytea, which Bytes() decodes.
class PgResult {
 public:
  explicit PgResult(PGresult* res) : res_(res, &PQclear) {}

  PGresult* get() const { return res_.get(); }
  int rows() const { return PQntuples(res_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  std::string String(int row, int col) const;
  int64_t Int64(int row, int col) const;
  bool Bool(int row, int col) const;  // a boolean column ('t' / 'f')
  std::optional<std::string> OptionalString(int row, int col) const;
  std::optional<int64_t> OptionalInt64(int row, int col) const;
  // A bytea column: its text form ("\x..." hex) decoded to the stored bytes.
  std::string Bytes(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  int64_t Affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> res_;
};

// One statement parameter: text (or NULL), or bytes sent in binary format (bytea).
struct PgParam {
  std::optional<std::string> value;
  bool binary = false;

  static PgParam Text(std::string v) { return PgParam{std::move(v), false}; }
  static PgParam Int(int64_t v) { return PgParam{std::to_string(v), false}; }
  static PgParam Bool(bool v) { return PgParam{std::string(v ? "true" : "false"), false}; }
  static PgParam Bytes(std::string v) { return PgParam{std::move(v), true}; }
  static PgParam OptText(const std::optional<std::string>& v) { return PgParam{v, false}; }
  static PgParam OptInt(const std::optional<int64_t>& v) {
    return v ? Int(*v) : PgParam{std::nullopt, false};
  }
};

// A RAII libpq connection with a cache of prepared statements (prepared on first use, by SQL
// text). Not thread-safe: one thread at a time (the pool and the writer each own theirs).
//
// Errors: a lost or refused connection, and SQLSTATE classes 08 (connection), 53 (resources),
// 57P (shutdown) and 40 (serialization/deadlock, worth a retry) are kUnavailable; 57014
// (statement_timeout) is kDeadlineExceeded; 23505 is kAlreadyExists; anything else kInternal.
// After an error, broken() says whether the connection must be replaced.
class PgConnection {
 public:
  struct Options {
    std::string url;  // postgresql://... or a key=value conninfo string
    int64_t statement_timeout_ms = 30'000;
    int connect_timeout_s = 5;
  };

  static util::StatusOr<std::unique_ptr<PgConnection>> Connect(const Options& options);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one or more statements without parameters (DDL, BEGIN, COMMIT, SAVEPOINT ...).
  util::Status Exec(std::string_view sql);
  // Runs one statement without parameters and returns its rows (FETCH from a cursor).
  util::StatusOr<PgResult> ExecRows(std::string_view sql);
  // Runs `sql` ($1, $2, ... parameters) as a prepared statement, preparing it on first use.
  util::StatusOr<PgResult> Query(const std::string& sql, const std::vector<PgParam>& params);
  // As Query, for statements whose rows are not needed.
  util::Status Run(const std::string& sql, const std::vector<PgParam>& params);

  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  bool InTransaction() const;

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  util::StatusOr<std::string> PreparedName(const std::string& sql);
  util::Status Check(PGresult* res, std::string_view what);

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// BEGINs on Begin(); rolls back on destruction unless Commit() succeeded.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& conn) : conn_(conn) {}
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;

  util::Status Begin(std::string_view begin_sql = "BEGIN");
  util::Status Commit();

 private:
  PgConnection& conn_;
  bool open_ = false;
};

// The Status for a failed PGresult (or a null one: connection lost).
util::Status PgError(PGconn* conn, const PGresult* res, std::string_view what);

}  // namespace stripehook::store::postgres
