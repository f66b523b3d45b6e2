#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/thread_annotations.h"

namespace stripehook::util {

// Label values of one series, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

// A counter family: monotonically increasing values per label set. Thread-safe.
class CounterFamily {
 public:
  void Inc(const LabelValues& labels = {}, double by = 1) EXCLUDES(mu_);
  double Value(const LabelValues& labels = {}) const EXCLUDES(mu_);

  // The value cell of one label set, created at 0 when new (and then rendered). Valid as long
  // as the family: a hot path resolves its label sets once and increments the cell, without
  // building label strings or searching the map again.
  double* Resolve(const LabelValues& labels) EXCLUDES(mu_);
  void Inc(double* cell, double by = 1) EXCLUDES(mu_);

 private:
  friend class MetricsRegistry;
  mutable std::mutex mu_;
  std::map<LabelValues, double> values_ GUARDED_BY(mu_);
};

// A gauge family: values that go up and down per label set. Thread-safe.
class GaugeFamily {
 public:
  void Set(double value, const LabelValues& labels = {}) EXCLUDES(mu_);
  void Add(double by, const LabelValues& labels = {}) EXCLUDES(mu_);
  double Value(const LabelValues& labels = {}) const EXCLUDES(mu_);

 private:
  friend class MetricsRegistry;
  mutable std::mutex mu_;
  std::map<LabelValues, double> values_ GUARDED_BY(mu_);
};

// A histogram family with fixed upper bounds (ascending; +Inf is implicit). Thread-safe.
class HistogramFamily {
 public:
  // One label set's buckets; opaque outside the family.
  struct Series {
    std::vector<uint64_t> buckets;  // per bound, not cumulative; last = +Inf
    double sum = 0;
    uint64_t count = 0;
  };

  explicit HistogramFamily(std::vector<double> bounds) : bounds_(std::move(bounds)) {}
  void Observe(double value, const LabelValues& labels = {}) EXCLUDES(mu_);
  // Observations so far for a label set (for tests).
  uint64_t Count(const LabelValues& labels = {}) const EXCLUDES(mu_);

  // As CounterFamily::Resolve: the series of one label set (created empty when new), valid as
  // long as the family, for Observe without label strings or a map search.
  Series* Resolve(const LabelValues& labels) EXCLUDES(mu_);
  void Observe(Series* series, double value) EXCLUDES(mu_);

 private:
  friend class MetricsRegistry;
  void AddLocked(Series& series, double value) REQUIRES(mu_);
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_ GUARDED_BY(mu_);
};

// One sample produced at scrape time by a callback: label values and a value.
using Sample = std::pair<LabelValues, double>;
using SampleCallback = std::function<std::vector<Sample>()>;

// Default buckets for latencies in seconds (0.5 ms … 10 s).
std::vector<double> LatencyBuckets();

// A registry of metric families rendered in the Prometheus text exposition format (0.0.4).
//
// Families are registered once, typically at wiring time, and live as long as the registry; the
// returned pointers stay valid. Registering a name twice returns the existing family when its kind
// and label names match (so two layers can share one), and nullptr otherwise. Names follow
// Prometheus conventions: `stripehook_` prefix, `_total` for counters, `_seconds` for times.
//
// Thread-safe: registration, updates and Render may run concurrently. Callbacks run inside
// Render, on the scraping thread; they must not register families in the same registry.
class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  CounterFamily* Counter(std::string name, std::string help, std::vector<std::string> labels = {})
      EXCLUDES(mu_);
  GaugeFamily* Gauge(std::string name, std::string help, std::vector<std::string> labels = {})
      EXCLUDES(mu_);
  HistogramFamily* Histogram(std::string name, std::string help, std::vector<double> bounds,
                             std::vector<std::string> labels = {}) EXCLUDES(mu_);
  // A gauge (or, with `counter`, a counter) whose samples come from `callback` at scrape time.
  bool Callback(std::string name, std::string help, std::vector<std::string> labels,
                SampleCallback callback, bool counter = false) EXCLUDES(mu_);

  // The whole registry as Prometheus text, families in registration order.
  std::string Render() const EXCLUDES(mu_);

 private:
  enum class Kind { kCounter, kGauge, kHistogram, kCallbackGauge, kCallbackCounter };
  struct Family {
    Family(Kind k, std::string n, std::string h, std::vector<std::string> l)
        : kind(k), name(std::move(n)), help(std::move(h)), labels(std::move(l)) {}
    Kind kind;
    std::string name;
    std::string help;
    std::vector<std::string> labels;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
    SampleCallback callback;
  };
  Family* FindOrAdd(Family family, bool* added) REQUIRES(mu_);
  void RenderFamily(const Family& family, std::string& out) const;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_ GUARDED_BY(mu_);
};

// The process-wide registry, for layers that have no wiring path for one (lives forever).
MetricsRegistry& DefaultMetrics();

}  // namespace stripehook::util
