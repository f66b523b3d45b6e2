#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace stripehook::testing {

// One recorded request of the fake (GET /_fake/requests).
struct FakeRequest {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> form;
  std::string idempotency_key;
  std::string stripe_version;
  std::string authorization;
  double time = 0;
  int status = 0;

  // The last value of `key` in the query or the form, "" when absent.
  std::string Param(const std::string& key) const {
    std::string value;
    for (const auto* list : {&query, &form}) {
      for (const auto& [k, v] : *list) {
        if (k == key) value = v;
      }
    }
    return value;
  }
};

// Runs tests/fake_stripe/fake_stripe.py (see its README) on 127.0.0.1, port 0, for one test.
// Start() waits up to 30 s for the port file; the destructor stops the process.
class FakeStripe {
 public:
  FakeStripe() = default;
  ~FakeStripe() { Stop(); }
  FakeStripe(const FakeStripe&) = delete;
  FakeStripe& operator=(const FakeStripe&) = delete;

  bool Start(std::vector<std::string> extra_args = {}) {
    std::string port_file = dir_.File("port");
    std::string script = SourceDir() + "/tests/fake_stripe/fake_stripe.py";
    // The system interpreter starts in a fraction of the time a version-manager shim takes.
    std::string python =
        std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::vector<std::string> args{python, script, "--port-file", port_file};
    for (std::string& a : extra_args) args.push_back(std::move(a));
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file);
      int port = 0;
      if (in >> port && port > 0) {
        port_ = static_cast<uint16_t>(port);
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  uint16_t port() const { return port_; }
  std::string api_base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Queues a fault (see README: method, path prefix, status, retry_after, times, delay_ms).
  bool AddFault(const boost::json::object& fault) {
    return Control("POST", "/_fake/faults", boost::json::serialize(fault)).status == 200;
  }
  bool SeedEvents(const std::string& json_lines) {
    return Control("POST", "/_fake/events", json_lines).status == 200;
  }
  bool PutObject(const boost::json::object& object) {
    return Control("POST", "/_fake/objects", boost::json::serialize(object)).status == 200;
  }
  // The stored object, or an empty object when the fake has none with that id.
  boost::json::object GetObject(const std::string& id) {
    HttpResult r = Control("GET", "/_fake/objects/" + id, "");
    if (r.status != 200) return {};
    return boost::json::parse(r.body).as_object();
  }
  void ClearRequests() { Control("DELETE", "/_fake/requests", ""); }

  // Every /v1 request received so far, in arrival order; optionally only those to `path`.
  std::vector<FakeRequest> Requests(const std::string& path = "") {
    std::vector<FakeRequest> out;
    HttpResult r = Control("GET", "/_fake/requests", "");
    if (r.status != 200) return out;
    boost::json::value all = boost::json::parse(r.body);
    for (const auto& v : all.at("data").as_array()) {
      const auto& o = v.as_object();
      FakeRequest req;
      req.method = std::string(o.at("method").as_string());
      req.path = std::string(o.at("path").as_string());
      if (!path.empty() && req.path != path) continue;
      req.query = Pairs(o.at("query"));
      req.form = Pairs(o.at("form"));
      req.idempotency_key = StringOr(o.at("idempotency_key"));
      req.stripe_version = StringOr(o.at("stripe_version"));
      req.authorization = StringOr(o.at("authorization"));
      req.time = o.at("time").to_number<double>();
      req.status = o.at("status").is_int64() ? static_cast<int>(o.at("status").as_int64()) : 0;
      out.push_back(std::move(req));
    }
    return out;
  }

 private:
  HttpResult Control(const std::string& method, const std::string& path, const std::string& body) {
    HttpClient client(port_);
    return client.Request(method, path, body, {{"Content-Type", "application/json"}});
  }
  static std::string StringOr(const boost::json::value& v) {
    return v.is_string() ? std::string(v.as_string()) : std::string();
  }
  static std::vector<std::pair<std::string, std::string>> Pairs(const boost::json::value& v) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& p : v.as_array()) {
      out.emplace_back(std::string(p.as_array()[0].as_string()),
                       std::string(p.as_array()[1].as_string()));
    }
    return out;
  }

  TempDir dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace stripehook::testing
