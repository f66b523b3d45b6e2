#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace stripehook::util {

// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it (Linux keeps 15 bytes;
// longer names are cut). Every long-lived thread of the server names itself, so an operator can
// see which one is busy — the writer, an HTTP thread, the pipeline — without a debugger.
void NameThisThread(std::string_view name);

// Starts a thread that names itself `name` and then runs `body`.
std::thread StartNamedThread(std::string name, std::function<void()> body);

// The calling thread's name ("" when it cannot be read).
std::string ThisThreadName();

}  // namespace stripehook::util
