#pragma once

#include <string>

namespace stripehook::testing {

// Where the shared fixtures live (tests/fixtures, a copy of shared/fixtures).
inline std::string FixturesDir() { return STRIPEHOOK_FIXTURES_DIR; }
// The build tree: binaries such as src/stripehook.
inline std::string BinaryDir() { return STRIPEHOOK_BINARY_DIR; }
inline std::string SourceDir() { return STRIPEHOOK_SOURCE_DIR; }
inline std::string StripehookBinary() { return BinaryDir() + "/src/stripehook"; }

}  // namespace stripehook::testing
