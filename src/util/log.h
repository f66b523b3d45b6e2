#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace stripehook::util {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };

// Structured logging: one JSON object per line on stderr, written with a single write(2) so lines
// from different threads never interleave. Callers must never pass secrets, signatures or full
// payloads: log ids, types, outcomes and sizes instead.
//
//   LogLine(LogLevel::kInfo, "webhook").Str("event_id", id).Int("status", 200);
//
// The line is emitted when the LogLine is destroyed. Thread-safe.
class LogLine {
 public:
  LogLine(LogLevel level, std::string_view msg);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& Str(std::string_view key, std::string_view value);
  LogLine& Int(std::string_view key, int64_t value);
  LogLine& Num(std::string_view key, double value);
  LogLine& Bool(std::string_view key, bool value);

 private:
  void Key(std::string_view key);
  bool enabled_;
  std::string line_;
};

inline LogLine LogInfo(std::string_view msg) { return LogLine(LogLevel::kInfo, msg); }
inline LogLine LogWarn(std::string_view msg) { return LogLine(LogLevel::kWarn, msg); }
inline LogLine LogError(std::string_view msg) { return LogLine(LogLevel::kError, msg); }
inline LogLine LogDebug(std::string_view msg) { return LogLine(LogLevel::kDebug, msg); }

void SetMinLogLevel(LogLevel level);
// Parses "debug", "info", "warn", "error"; false if unknown.
bool ParseLogLevel(std::string_view text, LogLevel* out);
// Replaces the destination (default: stderr). For tests; not thread-safe against logging.
void SetLogSinkForTesting(std::function<void(std::string_view)> sink);

}  // namespace stripehook::util
