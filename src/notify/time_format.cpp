#include "notify/time_format.h"

#include <cstdio>
#include <ctime>

namespace stripehook::notify {
namespace {

std::tm UtcOf(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::string Format(int64_t unix_seconds, const char* format) {
  std::tm tm = UtcOf(unix_seconds);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string Rfc3339Micros(int64_t unix_us) {
  int64_t seconds = unix_us >= 0 ? unix_us / 1'000'000 : (unix_us - 999'999) / 1'000'000;
  int64_t micros = unix_us - seconds * 1'000'000;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lldZ", static_cast<long long>(micros));
  return Format(seconds, "%Y-%m-%dT%H:%M:%S") + frac;
}

std::string DateUtc(int64_t unix_seconds) { return Format(unix_seconds, "%Y-%m-%d"); }

std::string DateTimeUtc(int64_t unix_seconds) { return Format(unix_seconds, "%Y-%m-%d %H:%M UTC"); }

}  // namespace stripehook::notify
