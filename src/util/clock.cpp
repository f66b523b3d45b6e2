#include "util/clock.h"

namespace stripehook::util {

int64_t Clock::NowUnixSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
}

int64_t Clock::NowUnixMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(Now().time_since_epoch()).count();
}

const SystemClock& SystemClock::Default() {
  static const SystemClock clock;
  return clock;
}

std::chrono::system_clock::time_point SystemClock::Now() const {
  return std::chrono::system_clock::now();
}

std::chrono::system_clock::time_point ManualClock::Now() const {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(micros_.load())));
}

}  // namespace stripehook::util
