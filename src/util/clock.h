#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace stripehook::util {

// The seam through which all wall-clock time enters the program (Envoy's TimeSource).
// Pure code never calls this: it is handed a time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall-clock time.
  virtual std::chrono::system_clock::time_point Now() const = 0;

  int64_t NowUnixSeconds() const;
  int64_t NowUnixMicros() const;
};

// The real clock. Default() lives for the whole program.
class SystemClock final : public Clock {
 public:
  static const SystemClock& Default();
  std::chrono::system_clock::time_point Now() const override;
};

// A clock that moves only when told to: tests, and the test-only `[testing] clock` setting.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t unix_micros = 0) : micros_(unix_micros) {}
  std::chrono::system_clock::time_point Now() const override;
  void SetUnixSeconds(int64_t seconds) { micros_.store(seconds * 1'000'000); }
  void SetUnixMicros(int64_t micros) { micros_.store(micros); }
  void Advance(std::chrono::microseconds by) { micros_.fetch_add(by.count()); }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace stripehook::util
