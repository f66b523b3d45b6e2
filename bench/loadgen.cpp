// stripehook-loadgen: signed Stripe webhook load over raw keep-alive sockets (bench/README.md).
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "load_worker.h"
#include "request_template.h"
#include "util/status.h"

namespace stripehook::bench {
namespace {

struct Options {
  std::string url = "http://127.0.0.1:8080/webhooks/stripe";
  std::string secret;
  int connections = 64;
  int threads = 1;
  double duration_s = 0;
  int64_t requests = 0;
  double rate = 0;
  double duplicates = 0;
  double bad_signatures = 0;
  std::string template_file;
  std::string fixtures_dir = STRIPEHOOK_FIXTURES_DIR;
  std::string dump_template;
  uint64_t seed = 1;
};

struct Target {
  sockaddr_in address{};
  std::string host;
  std::string path;
};

// Accepts http://HOST[:PORT][/PATH] with HOST an IPv4 address or a name resolving to one.
util::StatusOr<Target> ParseUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) return util::InvalidArgumentError("--url must start http://");
  std::string rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  Target target;
  target.host = rest.substr(0, slash);
  target.path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string name = target.host;
  std::string port = "80";
  if (size_t colon = name.rfind(':'); colon != std::string::npos) {
    port = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (port.empty()) return util::InvalidArgumentError("--url has an empty port");
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return util::InvalidArgumentError("cannot resolve " + target.host);
  }
  std::memcpy(&target.address, found->ai_addr, sizeof(target.address));
  freeaddrinfo(found);
  return target;
}

// 10 random base62 characters and the thread index: ids never repeat across runs or threads.
std::string IdTag(int thread_index) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::random_device device;
  std::string tag;
  for (int i = 0; i < 10; ++i) tag += kAlphabet[device() % 62];
  tag += static_cast<char>('0' + thread_index);
  return tag;
}

std::vector<LoadSpec> SplitSpecs(const Options& options, const Target& target,
                                 const BodyTemplate& body) {
  std::vector<LoadSpec> specs;
  for (int t = 0; t < options.threads; ++t) {
    LoadSpec spec;
    spec.address = target.address;
    spec.host = target.host;
    spec.path = target.path;
    spec.secret = options.secret;
    spec.connections =
        options.connections / options.threads + (t < options.connections % options.threads ? 1 : 0);
    spec.rate = options.rate / options.threads;
    // Interleave the threads' schedules so the merged arrivals stay evenly spaced.
    spec.schedule_offset_ns = options.rate > 0 ? static_cast<int64_t>(t * 1e9 / options.rate) : 0;
    spec.duration_ns = static_cast<int64_t>(options.duration_s * 1e9);
    spec.max_requests =
        options.requests / options.threads + (t < options.requests % options.threads ? 1 : 0);
    spec.duplicate_fraction = options.duplicates;
    spec.bad_signature_fraction = options.bad_signatures;
    spec.seed = options.seed * 1'000'003 + static_cast<uint64_t>(t);
    spec.id_tag = IdTag(t);
    spec.body = &body;
    specs.push_back(std::move(spec));
  }
  return specs;
}

double Ms(int64_t micros) { return static_cast<double>(micros) / 1000.0; }

// CPU seconds this process used (all threads): how much of the machine the load itself took.
double OwnCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void PrintResult(const Options& options, const BodyTemplate& body, const LoadResult& r) {
  double seconds = static_cast<double>(r.elapsed_ns) / 1e9;
  if (seconds <= 0) seconds = 1e-9;
  std::string statuses;
  for (const auto& [status, n] : r.by_status) {
    if (!statuses.empty()) statuses += ',';
    statuses += "\"" + std::to_string(status) + "\":" + std::to_string(n);
  }
  double p50 = Ms(r.latency.ValueAtQuantile(0.50)), p99 = Ms(r.latency.ValueAtQuantile(0.99));
  double p999 = Ms(r.latency.ValueAtQuantile(0.999)), max = Ms(r.latency.max());
  std::printf(
      "{\"mode\":\"%s\",\"connections\":%d,\"threads\":%d,\"rate\":%.1f,\"body_bytes\":%zu,"
      "\"seconds\":%.3f,\"sent\":%lld,\"completed\":%lld,\"responses\":{%s},\"accepted\":%lld,"
      "\"duplicates\":%lld,\"errors\":%lld,\"unsent\":%lld,\"duplicates_sent\":%lld,"
      "\"bad_signatures_sent\":%lld,\"rps\":%.1f,\"accepted_per_s\":%.1f,\"p50_ms\":%.3f,"
      "\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"loadgen_cpu_s\":%.3f}\n",
      options.rate > 0 ? "open" : "closed", options.connections, options.threads, options.rate,
      body.body.size(), seconds, static_cast<long long>(r.sent),
      static_cast<long long>(r.completed), statuses.c_str(), static_cast<long long>(r.accepted),
      static_cast<long long>(r.duplicates), static_cast<long long>(r.errors),
      static_cast<long long>(r.unsent), static_cast<long long>(r.duplicates_sent),
      static_cast<long long>(r.bad_signatures_sent), r.completed / seconds, r.accepted / seconds,
      p50, p99, p999, max, OwnCpuSeconds());
  std::fprintf(stderr,
               "%s loop, %d conns: %lld sent, %lld accepted (%.0f/s), %lld duplicates, %lld "
               "errors, %lld unsent; latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f "
               "ms\n",
               options.rate > 0 ? "open" : "closed", options.connections,
               static_cast<long long>(r.sent), static_cast<long long>(r.accepted),
               r.accepted / seconds, static_cast<long long>(r.duplicates),
               static_cast<long long>(r.errors), static_cast<long long>(r.unsent), p50, p99, p999,
               max);
  std::fflush(stdout);
}

util::StatusOr<BodyTemplate> LoadTemplate(const Options& options) {
  if (!options.template_file.empty()) return BodyTemplateFromFile(options.template_file);
  return DefaultBodyTemplate(options.fixtures_dir);
}

int Run(const Options& options) {
  util::StatusOr<BodyTemplate> body = LoadTemplate(options);
  if (!body.ok()) {
    std::fprintf(stderr, "loadgen: %s\n", body.status().ToString().c_str());
    return 2;
  }
  if (!options.dump_template.empty()) {
    std::ofstream(options.dump_template, std::ios::binary) << body->body;
    return 0;
  }
  util::StatusOr<Target> target = ParseUrl(options.url);
  if (!target.ok()) {
    std::fprintf(stderr, "loadgen: %s\n", target.status().ToString().c_str());
    return 2;
  }
  std::vector<LoadSpec> specs = SplitSpecs(options, *target, *body);
  std::vector<LoadResult> results(specs.size());
  int64_t start = MonotonicNowNs();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < specs.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = RunLoad(specs[i], start); });
  }
  LoadResult total;
  for (size_t i = 0; i < threads.size(); ++i) {
    threads[i].join();
    total.Merge(results[i]);
  }
  PrintResult(options, *body, total);
  return total.completed > 0 ? 0 : 1;
}

void AddOptions(CLI::App& app, Options& o) {
  app.add_option("--url", o.url, "webhook endpoint, http://HOST:PORT/PATH")->capture_default_str();
  app.add_option("--secret", o.secret, "signing secret (default: $STRIPE_WEBHOOK_SECRET)");
  app.add_option("--connections", o.connections, "keep-alive connections")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "load threads")->check(CLI::Range(1, 2));
  app.add_option("--duration", o.duration_s, "seconds to run")->check(CLI::PositiveNumber);
  app.add_option("--requests", o.requests, "requests to send")->check(CLI::PositiveNumber);
  app.add_option("--rate", o.rate, "open loop: requests/s (default: closed loop)")
      ->check(CLI::PositiveNumber);
  app.add_option("--duplicates", o.duplicates, "share resending accepted ids")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--bad-signatures", o.bad_signatures, "share with a wrong signature")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--template", o.template_file, "event JSON file (default: invoice.paid)");
  app.add_option("--fixtures-dir", o.fixtures_dir, "tests/fixtures")->capture_default_str();
  app.add_option("--dump-template", o.dump_template,
                 "write the body template (id slot '#' x24, created 9876543210) and exit");
  app.add_option("--seed", o.seed, "seed for the duplicate/bad-signature draw");
}

}  // namespace
}  // namespace stripehook::bench

int main(int argc, char** argv) {
  using stripehook::bench::Options;
  CLI::App app{"stripehook-loadgen: signed Stripe webhook load generator"};
  Options options;
  stripehook::bench::AddOptions(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (options.secret.empty()) {
    const char* env = std::getenv("STRIPE_WEBHOOK_SECRET");
    options.secret = env ? env : "";
  }
  if (options.dump_template.empty() &&
      (options.secret.empty() || (options.duration_s <= 0 && options.requests <= 0))) {
    std::fprintf(stderr, "loadgen: need --secret and one of --duration / --requests\n");
    return 2;
  }
  return stripehook::bench::Run(options);
}
