#pragma once

#include <cstdint>
#include <string>

namespace stripehook::notify {

// "2026-11-24T01:20:09.123456Z" for Unix microseconds (UTC).
std::string Rfc3339Micros(int64_t unix_us);
// "2026-11-24" and "2026-11-24 01:20 UTC" for Unix seconds, as emails show dates.
std::string DateUtc(int64_t unix_seconds);
std::string DateTimeUtc(int64_t unix_seconds);

}  // namespace stripehook::notify
