// TableReader and the did-you-mean helpers used by every section decoder.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/config_node.h"
#include "support/status_matchers.h"

namespace stripehook::app {
namespace {

ConfigNode Int(int64_t value, int line) {
  ConfigNode node;
  node.type = ConfigNode::Type::kInteger;
  node.integer = value;
  node.line = line;
  return node;
}

TEST(EditDistanceTest, CountsEditsAndTranspositions) {
  EXPECT_EQ(EditDistance("port", "port"), 0u);
  EXPECT_EQ(EditDistance("prot", "port"), 1u);
  EXPECT_EQ(EditDistance("secret", "secrets"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(UnknownKeyMessageTest, SuggestsOnlyPlausibleTypos) {
  std::vector<std::string> known = {"port", "threads", "address"};
  EXPECT_EQ(UnknownKeyMessage("server", "adress", known),
            "unknown key 'server.adress' (did you mean 'server.address'?)");
  EXPECT_EQ(UnknownKeyMessage("server", "tls", known), "unknown key 'server.tls'");
  EXPECT_EQ(UnknownKeyMessage("", "sever", {"server"}),
            "unknown key 'sever' (did you mean 'server'?)");
}

TEST(TableReaderTest, MissingKeyKeepsDefault) {
  ConfigNode table;
  TableReader reader(table, "processing", "f.toml");
  int64_t workers = 4;
  EXPECT_OK(reader.ReadInt("workers", 1, 64, &workers));
  EXPECT_EQ(workers, 4);
  EXPECT_OK(reader.Finish());
}

TEST(TableReaderTest, ReadsAndRejectsUnknownKeysWithLocation) {
  ConfigNode table;
  table.table.emplace("workers", Int(8, 3));
  table.table.emplace("workres", Int(8, 4));
  TableReader reader(table, "processing", "f.toml");
  int64_t workers = 4;
  EXPECT_OK(reader.ReadInt("workers", 1, 64, &workers));
  EXPECT_EQ(workers, 8);
  EXPECT_EQ(reader.Finish().message(),
            "unknown key 'processing.workres' (did you mean 'processing.workers'?) (f.toml:4)");
}

TEST(TableReaderTest, TypeAndRangeErrors) {
  ConfigNode table;
  table.table.emplace("workers", Int(100, 2));
  TableReader reader(table, "processing", "f.toml");
  int64_t workers = 4;
  EXPECT_EQ(reader.ReadInt("workers", 1, 64, &workers).message(),
            "processing.workers: must be 1..64, got 100 (f.toml:2)");
  std::string name;
  EXPECT_EQ(reader.ReadString("workers", &name).message(),
            "processing.workers: expected a string, got an integer (f.toml:2)");
  bool flag = false;
  EXPECT_EQ(reader.ReadBool("workers", &flag).message(),
            "processing.workers: expected a boolean, got an integer (f.toml:2)");
  double rate = 0;
  EXPECT_EQ(reader.ReadNumber("workers", 0, 10, &rate).message(),
            "processing.workers: must be 0..10 (f.toml:2)");
}

TEST(TableReaderTest, TakeConsumesSubTables) {
  ConfigNode table;
  ConfigNode sub;
  sub.line = 7;
  table.table.emplace("smtp", sub);
  TableReader reader(table, "notify", "");
  const ConfigNode* smtp = reader.Take("smtp");
  ASSERT_NE(smtp, nullptr);
  EXPECT_EQ(smtp->line, 7);
  EXPECT_EQ(reader.Take("redis"), nullptr);
  EXPECT_OK(reader.Finish());
}

}  // namespace
}  // namespace stripehook::app
