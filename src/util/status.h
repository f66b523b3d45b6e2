#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "util/check.h"

namespace stripehook::util {

// Error codes, named as in abseil. Expected failures (bad input, a database that is down, a
// remote API error) travel as values of Status; exceptions never cross our interfaces.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,
  kDeadlineExceeded,
  kUnavailable,
  kDataLoss,
  kUnimplemented,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

// The outcome of an operation: OK, or a code and a human-readable message.
// Cheap to copy when OK. Thread-compatible.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: message", or "OK".
  std::string ToString() const;

  // Adds context in front of the message: "context: message". No-op when OK.
  Status Annotate(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status UnauthenticatedError(std::string message);
Status PermissionDeniedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status DeadlineExceededError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);

// Either a value of T or a non-OK Status. Accessing the value of an error is a crash (SH_CHECK).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : rep_(value) {}            // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : rep_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : rep_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    SH_CHECK(!std::get<Status>(rep_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(rep_); }
  Status status() const { return ok() ? OkStatus() : std::get<Status>(rep_); }

  const T& value() const& {
    SH_CHECK(ok());
    return std::get<T>(rep_);
  }
  T& value() & {
    SH_CHECK(ok());
    return std::get<T>(rep_);
  }
  T&& value() && {
    SH_CHECK(ok());
    return std::get<T>(std::move(rep_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<Status, T> rep_;
};

}  // namespace stripehook::util

// Returns early from the enclosing function with the Status of `expr` when it is not OK.
#define SH_RETURN_IF_ERROR(expr)                    \
  do {                                              \
    ::stripehook::util::Status sh_status_ = (expr); \
    if (!sh_status_.ok()) return sh_status_;        \
  } while (0)

#define SH_STATUS_CONCAT_INNER(a, b) a##b
#define SH_STATUS_CONCAT(a, b) SH_STATUS_CONCAT_INNER(a, b)
// Declares `lhs` from the value of a StatusOr expression, or returns its Status.
#define SH_ASSIGN_OR_RETURN(lhs, expr) \
  SH_ASSIGN_OR_RETURN_IMPL(SH_STATUS_CONCAT(sh_statusor_, __LINE__), lhs, expr)
#define SH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
