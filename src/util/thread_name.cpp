#include "util/thread_name.h"

#include <pthread.h>

#include <utility>

namespace stripehook::util {

namespace {
constexpr size_t kMaxName = 15;  // the kernel's TASK_COMM_LEN less the terminator
}  // namespace

void NameThisThread(std::string_view name) {
  const std::string cut(name.substr(0, kMaxName));
  pthread_setname_np(pthread_self(), cut.c_str());
}

std::thread StartNamedThread(std::string name, std::function<void()> body) {
  return std::thread([name = std::move(name), body = std::move(body)] {
    NameThisThread(name);
    body();
  });
}

std::string ThisThreadName() {
  char name[kMaxName + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof(name)) != 0) return "";
  return name;
}

}  // namespace stripehook::util
