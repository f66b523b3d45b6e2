#include "util/thread_name.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace stripehook::util {
namespace {

// What `top -H` and `ps -L` read.
std::string KernelName() {
  std::ifstream comm("/proc/self/task/" + std::to_string(syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

TEST(ThreadNameTest, AThreadNamesItselfAsTheKernelShowsIt) {
  std::string seen;
  std::string read_back;
  std::thread([&] {
    NameThisThread("sqlite-writer");
    seen = KernelName();
    read_back = ThisThreadName();
  }).join();
  EXPECT_EQ(seen, "sqlite-writer");
  EXPECT_EQ(read_back, "sqlite-writer");
}

TEST(ThreadNameTest, ALongerNameIsCutToFifteenBytes) {
  std::string seen;
  std::thread([&] {
    NameThisThread("a-name-of-twenty-chars");
    seen = KernelName();
  }).join();
  EXPECT_EQ(seen, "a-name-of-twent");
}

}  // namespace
}  // namespace stripehook::util
