#pragma once

#include <string>
#include <string_view>

namespace stripehook::util {

// Appends `value` to `out` as a JSON string literal (quotes included). The escaping is
// boost::json::serialize's, byte for byte: \" \\ \b \f \n \r \t, \u00xx (lower-case hex) for the
// other control characters, every other byte as it is. So text written here and text a
// boost::json DOM serialises are the same bytes, and a hot path can write its JSON directly.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace stripehook::util
