// AppendJsonString promises boost::json's bytes: checked against boost::json::serialize for every
// byte value and for mixed text.

#include "util/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace stripehook::util {
namespace {

std::string Quoted(std::string_view value) {
  std::string out;
  AppendJsonString(out, value);
  return out;
}

TEST(JsonTextTest, EveryByteIsEscapedAsBoostJsonDoes) {
  for (int c = 0; c < 256; ++c) {
    const std::string one(1, static_cast<char>(c));
    EXPECT_EQ(Quoted(one), boost::json::serialize(boost::json::string_view(one))) << "byte " << c;
  }
}

TEST(JsonTextTest, MixedTextMatchesBoostJson) {
  const std::string text = std::string("a\"b\\c\bd\fe\nf\rg\th") + std::string(1, '\0') +
                           "\x1f\x7f caf\xc3\xa9 \xe2\x82\xac / <script>";
  EXPECT_EQ(Quoted(text), boost::json::serialize(boost::json::string_view(text)));
  EXPECT_EQ(Quoted(""), "\"\"");
  EXPECT_EQ(Quoted("\b\x01"), "\"\\b\\u0001\"");
}

TEST(JsonTextTest, AppendsWithoutTouchingWhatIsThere) {
  std::string out = "{\"k\":";
  AppendJsonString(out, "v");
  EXPECT_EQ(out, "{\"k\":\"v\"");
}

}  // namespace
}  // namespace stripehook::util
