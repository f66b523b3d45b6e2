// The TOML boundary (config_toml.cpp): text that is not UTF-8 never reaches toml11.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace stripehook::app {
namespace {

using ::testing::HasSubstr;

// Found by fuzz_config (make reliability): toml11 3.7 read one byte past its buffer on this
// unterminated literal-string key with invalid UTF-8 (AddressSanitizer: heap-buffer-overflow in
// toml::detail::location::reset). Now refused before toml11 sees it.
TEST(ConfigTomlTest, InvalidUtf8IsRefusedNamingTheByte) {
  EXPECT_EQ(ErrorOf("'s\234e'\377\204s"),
            "test.toml: not valid UTF-8 at byte 2 (TOML files are UTF-8)");
  EXPECT_THAT(ErrorOf("[server]\naddress = '\xc3'\n"), HasSubstr("not valid UTF-8 at byte 20"));
  EXPECT_THAT(ErrorOf("a = \"\xe2\x82\"\n"), HasSubstr("not valid UTF-8 at byte 5"));
  EXPECT_THAT(ErrorOf("a = \"\xc0\xaf\"\n"), HasSubstr("not valid UTF-8"));          // overlong '/'
  EXPECT_THAT(ErrorOf("a = \"\xed\xa0\x80\"\n"), HasSubstr("not valid UTF-8"));      // surrogate
  EXPECT_THAT(ErrorOf("a = \"\xf4\x90\x80\x80\"\n"), HasSubstr("not valid UTF-8"));  // > U+10FFFF
}

TEST(ConfigTomlTest, WellFormedUtf8StillParses) {
  // Two-, three- and four-byte sequences in a comment and in strings.
  ASSERT_OK_AND_ASSIGN(Config config, Parse("# caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n"
                                            "[server]\naddress = '127.0.0.1'\n"));
  EXPECT_EQ(config.server.address, "127.0.0.1");
}

}  // namespace
}  // namespace stripehook::app
