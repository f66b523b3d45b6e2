#include "store/postgres/pg_connection.h"

#include <cstdlib>
#include <utility>

namespace stripehook::store::postgres {
namespace {

util::Status FromSqlState(std::string_view state, std::string message) {
  if (state == "57014") return util::DeadlineExceededError(std::move(message));
  if (state == "23505") return util::AlreadyExistsError(std::move(message));
  if (state.starts_with("08") || state.starts_with("53") || state.starts_with("57P") ||
      state.starts_with("40")) {
    return util::UnavailableError(std::move(message));
  }
  return util::InternalError(std::move(message));
}

// libpq messages end with a newline; our Status messages do not.
std::string Trimmed(const char* text) {
  std::string s = text == nullptr ? "" : text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string PgResult::String(int row, int col) const {
  return std::string(PQgetvalue(res_.get(), row, col),
                     static_cast<size_t>(PQgetlength(res_.get(), row, col)));
}

int64_t PgResult::Int64(int row, int col) const {
  return std::strtoll(PQgetvalue(res_.get(), row, col), nullptr, 10);
}

bool PgResult::Bool(int row, int col) const { return PQgetvalue(res_.get(), row, col)[0] == 't'; }

std::optional<std::string> PgResult::OptionalString(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return String(row, col);
}

std::optional<int64_t> PgResult::OptionalInt64(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int64(row, col);
}

std::string PgResult::Bytes(int row, int col) const {
  size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(res_.get(), row, col)), &length);
  if (raw == nullptr) return std::string();
  std::string bytes(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return bytes;
}

int64_t PgResult::Affected() const {
  const char* n = PQcmdTuples(res_.get());
  return n[0] == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

util::Status PgError(PGconn* conn, const PGresult* res, std::string_view what) {
  std::string context(what);
  if (res == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return util::UnavailableError(context +
                                  ": PostgreSQL connection lost: " + Trimmed(PQerrorMessage(conn)));
  }
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  return FromSqlState(state == nullptr ? "" : state,
                      context + ": " + Trimmed(PQresultErrorMessage(res)));
}

util::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const Options& options) {
  // Our defaults come first so that the same keys in the URL override them.
  const std::string timeout = std::to_string(options.connect_timeout_s);
  const std::string session =
      "-c statement_timeout=" + std::to_string(options.statement_timeout_ms) +
      " -c client_min_messages=warning";
  const char* keys[] = {"connect_timeout", "options", "application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), session.c_str(), "stripehook", options.url.c_str(),
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return util::UnavailableError("PostgreSQL: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    // The message names host and port, never the password.
    util::Status status =
        util::UnavailableError("cannot connect to PostgreSQL: " + Trimmed(PQerrorMessage(conn)));
    PQfinish(conn);
    return status;
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::InTransaction() const {
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

util::Status PgConnection::Check(PGresult* res, std::string_view what) {
  ExecStatusType status = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return util::OkStatus();
  return PgError(conn_, res, what);
}

util::Status PgConnection::Exec(std::string_view sql) {
  PgResult res(PQexec(conn_, std::string(sql).c_str()));
  return Check(res.get(), sql.substr(0, 60));
}

util::StatusOr<PgResult> PgConnection::ExecRows(std::string_view sql) {
  PgResult res(PQexec(conn_, std::string(sql).c_str()));
  SH_RETURN_IF_ERROR(Check(res.get(), sql.substr(0, 60)));
  return res;
}

util::StatusOr<std::string> PgConnection::PreparedName(const std::string& sql) {
  auto found = prepared_.find(sql);
  if (found != prepared_.end()) return found->second;
  std::string name = "sh" + std::to_string(prepared_.size());
  PgResult res(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
  SH_RETURN_IF_ERROR(Check(res.get(), "prepare " + sql.substr(0, 60)));
  prepared_.emplace(sql, name);
  return name;
}

util::StatusOr<PgResult> PgConnection::Query(const std::string& sql,
                                             const std::vector<PgParam>& params) {
  SH_ASSIGN_OR_RETURN(std::string name, PreparedName(sql));
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i].value ? params[i].value->data() : nullptr;
    lengths[i] = params[i].value ? static_cast<int>(params[i].value->size()) : 0;
    formats[i] = params[i].binary ? 1 : 0;
  }
  PgResult res(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), values.data(),
                              lengths.data(), formats.data(), 0));
  // Text parameters are passed NUL-terminated: std::string's data() is.
  SH_RETURN_IF_ERROR(Check(res.get(), sql.substr(0, 60)));
  return res;
}

util::Status PgConnection::Run(const std::string& sql, const std::vector<PgParam>& params) {
  return Query(sql, params).status();
}

PgTransaction::~PgTransaction() {
  if (open_ && !conn_.broken()) (void)conn_.Exec("ROLLBACK");
}

util::Status PgTransaction::Begin(std::string_view begin_sql) {
  SH_RETURN_IF_ERROR(conn_.Exec(begin_sql));
  open_ = true;
  return util::OkStatus();
}

util::Status PgTransaction::Commit() {
  open_ = false;  // a failed COMMIT has ended the transaction too
  return conn_.Exec("COMMIT");
}

}  // namespace stripehook::store::postgres
