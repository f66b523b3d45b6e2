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
  std::string events_file;
  std::string method = "POST";
  std::string path_template;
  int64_t users = 0;
  std::vector<std::string> headers;
};

// What every thread shares besides the options: the template and, with --events, the bodies.
struct Workload {
  BodyTemplate body;
  std::vector<std::string> events;
  std::string extra_headers;
  std::string path_prefix;  // GET: the --path-template before "{n}"
  std::string path_suffix;
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

// Share `total` among `threads`: thread t's part.
int64_t ShareOf(int64_t total, int threads, int t) {
  return total / threads + (t < total % threads ? 1 : 0);
}

void AddSource(const Options& options, const Workload& load, int t, LoadSpec& spec) {
  spec.extra_headers = load.extra_headers;
  if (!load.events.empty()) {
    spec.events = &load.events;
    spec.events_first = static_cast<size_t>(t);
    spec.events_stride = static_cast<size_t>(options.threads);
    spec.max_requests = ShareOf(static_cast<int64_t>(load.events.size()), options.threads, t);
  }
  if (options.method == "GET") {
    spec.get_users = options.users;
    spec.path_prefix = load.path_prefix;
    spec.path_suffix = load.path_suffix;
  }
}

std::vector<LoadSpec> SplitSpecs(const Options& options, const Target& target,
                                 const Workload& load) {
  std::vector<LoadSpec> specs;
  for (int t = 0; t < options.threads; ++t) {
    LoadSpec spec;
    spec.address = target.address;
    spec.host = target.host;
    spec.path = target.path;
    spec.secret = options.secret;
    spec.connections = static_cast<int>(ShareOf(options.connections, options.threads, t));
    spec.rate = options.rate / options.threads;
    // Interleave the threads' schedules so the merged arrivals stay evenly spaced.
    spec.schedule_offset_ns = options.rate > 0 ? static_cast<int64_t>(t * 1e9 / options.rate) : 0;
    spec.duration_ns = static_cast<int64_t>(options.duration_s * 1e9);
    spec.max_requests = ShareOf(options.requests, options.threads, t);
    spec.duplicate_fraction = options.duplicates;
    spec.bad_signature_fraction = options.bad_signatures;
    spec.seed = options.seed * 1'000'003 + static_cast<uint64_t>(t);
    spec.id_tag = IdTag(t);
    spec.body = &load.body;
    AddSource(options, load, t, spec);
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

// Bytes of the average body sent: the template's, the --events bodies' mean, 0 for GET.
size_t BodyBytes(const Options& options, const Workload& load) {
  if (options.method == "GET") return 0;
  if (load.events.empty()) return load.body.body.size();
  size_t total = 0;
  for (const std::string& event : load.events) total += event.size();
  return total / load.events.size();
}

const char* RequestKind(const Options& options, const Workload& load) {
  if (options.method == "GET") return "get";
  return load.events.empty() ? "template" : "events";
}

void PrintResult(const Options& options, const Workload& load, const LoadResult& r) {
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
      "{\"mode\":\"%s\",\"request\":\"%s\",\"connections\":%d,\"threads\":%d,\"rate\":%.1f,\"body_"
      "bytes\":%zu,"
      "\"seconds\":%.3f,\"sent\":%lld,\"completed\":%lld,\"responses\":{%s},\"accepted\":%lld,"
      "\"duplicates\":%lld,\"errors\":%lld,\"unsent\":%lld,\"duplicates_sent\":%lld,"
      "\"bad_signatures_sent\":%lld,\"rps\":%.1f,\"accepted_per_s\":%.1f,\"p50_ms\":%.3f,"
      "\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"loadgen_cpu_s\":%.3f}\n",
      options.rate > 0 ? "open" : "closed", RequestKind(options, load), options.connections,
      options.threads, options.rate, BodyBytes(options, load), seconds,
      static_cast<long long>(r.sent), static_cast<long long>(r.completed), statuses.c_str(),
      static_cast<long long>(r.accepted), static_cast<long long>(r.duplicates),
      static_cast<long long>(r.errors), static_cast<long long>(r.unsent),
      static_cast<long long>(r.duplicates_sent), static_cast<long long>(r.bad_signatures_sent),
      r.completed / seconds, r.accepted / seconds, p50, p99, p999, max, OwnCpuSeconds());
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

// One event body per non-empty line, sent as it is (bench/billing_load.py writes them).
util::StatusOr<std::vector<std::string>> LoadEvents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::NotFoundError("cannot open " + path);
  std::vector<std::string> events;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) events.push_back(std::move(line));
  }
  if (events.empty()) return util::InvalidArgumentError(path + " holds no events");
  return events;
}

util::StatusOr<Workload> BuildWorkload(const Options& options) {
  Workload load;
  SH_ASSIGN_OR_RETURN(load.body, LoadTemplate(options));
  if (!options.events_file.empty()) {
    SH_ASSIGN_OR_RETURN(load.events, LoadEvents(options.events_file));
  }
  for (const std::string& header : options.headers) load.extra_headers += header + "\r\n";
  if (options.method == "GET") {
    size_t at = options.path_template.find("{n}");
    if (at == std::string::npos || options.users <= 0) {
      return util::InvalidArgumentError("GET needs --path-template with {n} and --users N");
    }
    load.path_prefix = options.path_template.substr(0, at);
    load.path_suffix = options.path_template.substr(at + 3);
  }
  return load;
}

int Run(const Options& options) {
  util::StatusOr<Workload> load = BuildWorkload(options);
  if (!load.ok()) {
    std::fprintf(stderr, "loadgen: %s\n", load.status().ToString().c_str());
    return 2;
  }
  if (!options.dump_template.empty()) {
    std::ofstream(options.dump_template, std::ios::binary) << load->body.body;
    return 0;
  }
  util::StatusOr<Target> target = ParseUrl(options.url);
  if (!target.ok()) {
    std::fprintf(stderr, "loadgen: %s\n", target.status().ToString().c_str());
    return 2;
  }
  std::vector<LoadSpec> specs = SplitSpecs(options, *target, *load);
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
  PrintResult(options, *load, total);
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
  app.add_option("--seed", o.seed, "seed for the duplicate/bad-signature/user draw");
  app.add_option(
      "--events", o.events_file,
      "JSON lines of complete events, each sent once in order (instead of the template)");
  app.add_option("--method", o.method, "POST (webhooks) or GET (read API, no body)")
      ->check(CLI::IsMember({"POST", "GET"}))
      ->capture_default_str();
  app.add_option("--path-template", o.path_template,
                 "GET: path with {n}, e.g. /v1/access/user_{n} (replaces --url's path)");
  app.add_option("--users", o.users, "GET: {n} is uniform in [0, users)")
      ->check(CLI::PositiveNumber);
  app.add_option("--header", o.headers, "extra request header 'Name: value' (repeatable)");
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
  bool post = options.method == "POST";
  bool bounded = options.duration_s > 0 || options.requests > 0 || !options.events_file.empty();
  if (options.dump_template.empty() && ((post && options.secret.empty()) || !bounded)) {
    std::fprintf(stderr,
                 "loadgen: need --secret (POST) and one of --duration / --requests / --events\n");
    return 2;
  }
  if (!options.events_file.empty() && (!post || options.duplicates > 0 || options.rate > 0)) {
    std::fprintf(stderr, "loadgen: --events is a closed-loop POST without --duplicates\n");
    return 2;
  }
  return stripehook::bench::Run(options);
}
