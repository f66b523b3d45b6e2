#include "util/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace stripehook::util {
namespace {

// Prometheus text format: label values escape backslash, double quote and newline.
void AppendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// `{a="x",b="y"}` (plus an optional extra label, for `le`), or nothing without labels.
void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const LabelValues& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    AppendLabelValue(out, i < values.size() ? values[i] : std::string_view());
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void AppendSample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                  const LabelValues& values, double value) {
  out += name;
  AppendLabels(out, names, values);
  out += ' ';
  out += FormatValue(value);
  out += '\n';
}

}  // namespace

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

void CounterFamily::Inc(const LabelValues& labels, double by) {
  std::lock_guard lock(mu_);
  values_[labels] += by;
}

double* CounterFamily::Resolve(const LabelValues& labels) {
  std::lock_guard lock(mu_);
  return &values_[labels];  // std::map nodes never move
}

void CounterFamily::Inc(double* cell, double by) {
  std::lock_guard lock(mu_);
  *cell += by;
}

double CounterFamily::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void GaugeFamily::Set(double value, const LabelValues& labels) {
  std::lock_guard lock(mu_);
  values_[labels] = value;
}

void GaugeFamily::Add(double by, const LabelValues& labels) {
  std::lock_guard lock(mu_);
  values_[labels] += by;
}

double GaugeFamily::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void HistogramFamily::AddLocked(Series& s, double value) {
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  s.buckets[bucket]++;
  s.sum += value;
  s.count++;
}

void HistogramFamily::Observe(double value, const LabelValues& labels) {
  std::lock_guard lock(mu_);
  AddLocked(series_[labels], value);
}

HistogramFamily::Series* HistogramFamily::Resolve(const LabelValues& labels) {
  std::lock_guard lock(mu_);
  Series& s = series_[labels];  // std::map nodes never move
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  return &s;
}

void HistogramFamily::Observe(Series* series, double value) {
  std::lock_guard lock(mu_);
  AddLocked(*series, value);
}

uint64_t HistogramFamily::Count(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

MetricsRegistry::Family* MetricsRegistry::FindOrAdd(Family family, bool* added) {
  *added = false;
  for (auto& f : families_) {
    if (f->name != family.name) continue;
    return f->kind == family.kind && f->labels == family.labels ? f.get() : nullptr;
  }
  *added = true;
  families_.push_back(std::make_unique<Family>(std::move(family)));
  return families_.back().get();
}

// Families are complete before they are published, so Render may read them without mu_.
CounterFamily* MetricsRegistry::Counter(std::string name, std::string help,
                                        std::vector<std::string> labels) {
  Family family{Kind::kCounter, std::move(name), std::move(help), std::move(labels)};
  family.counter = std::make_unique<CounterFamily>();
  std::lock_guard lock(mu_);
  bool added = false;
  Family* f = FindOrAdd(std::move(family), &added);
  return f == nullptr ? nullptr : f->counter.get();
}

GaugeFamily* MetricsRegistry::Gauge(std::string name, std::string help,
                                    std::vector<std::string> labels) {
  Family family{Kind::kGauge, std::move(name), std::move(help), std::move(labels)};
  family.gauge = std::make_unique<GaugeFamily>();
  std::lock_guard lock(mu_);
  bool added = false;
  Family* f = FindOrAdd(std::move(family), &added);
  return f == nullptr ? nullptr : f->gauge.get();
}

HistogramFamily* MetricsRegistry::Histogram(std::string name, std::string help,
                                            std::vector<double> bounds,
                                            std::vector<std::string> labels) {
  std::sort(bounds.begin(), bounds.end());
  Family family{Kind::kHistogram, std::move(name), std::move(help), std::move(labels)};
  family.histogram = std::make_unique<HistogramFamily>(std::move(bounds));
  std::lock_guard lock(mu_);
  bool added = false;
  Family* f = FindOrAdd(std::move(family), &added);
  return f == nullptr ? nullptr : f->histogram.get();
}

bool MetricsRegistry::Callback(std::string name, std::string help, std::vector<std::string> labels,
                               SampleCallback callback, bool counter) {
  Kind kind = counter ? Kind::kCallbackCounter : Kind::kCallbackGauge;
  Family family{kind, std::move(name), std::move(help), std::move(labels)};
  family.callback = std::move(callback);
  std::lock_guard lock(mu_);
  bool added = false;
  return FindOrAdd(std::move(family), &added) != nullptr && added;
}

void MetricsRegistry::RenderFamily(const Family& f, std::string& out) const {
  bool is_counter = f.kind == Kind::kCounter || f.kind == Kind::kCallbackCounter;
  const char* type = is_counter ? "counter" : (f.kind == Kind::kHistogram ? "histogram" : "gauge");
  out += "# HELP " + f.name + ' ';
  AppendHelp(out, f.help);
  out += "\n# TYPE " + f.name + ' ' + type + '\n';
  if (f.kind == Kind::kCounter || f.kind == Kind::kGauge) {
    std::mutex& mu = f.counter ? f.counter->mu_ : f.gauge->mu_;
    std::lock_guard lock(mu);
    const auto& values = f.counter ? f.counter->values_ : f.gauge->values_;
    // A family without labels shows 0 before its first update, so dashboards see it exists.
    if (values.empty() && f.labels.empty()) AppendSample(out, f.name, f.labels, {}, 0);
    for (const auto& [labels, value] : values) AppendSample(out, f.name, f.labels, labels, value);
  } else if (f.kind == Kind::kHistogram) {
    const HistogramFamily& h = *f.histogram;
    std::lock_guard lock(h.mu_);
    HistogramFamily::Series empty{std::vector<uint64_t>(h.bounds_.size() + 1, 0), 0, 0};
    std::map<LabelValues, HistogramFamily::Series> shown = h.series_;
    if (shown.empty() && f.labels.empty()) shown.emplace(LabelValues{}, empty);
    for (const auto& [labels, s] : shown) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= h.bounds_.size(); ++i) {
        cumulative += s.buckets[i];
        out += f.name + "_bucket";
        AppendLabels(out, f.labels, labels, "le",
                     i < h.bounds_.size() ? FormatValue(h.bounds_[i]) : "+Inf");
        out += ' ' + std::to_string(cumulative) + '\n';
      }
      AppendSample(out, f.name + "_sum", f.labels, labels, s.sum);
      AppendSample(out, f.name + "_count", f.labels, labels, static_cast<double>(s.count));
    }
  } else {
    for (const auto& [labels, value] : f.callback()) {
      AppendSample(out, f.name, f.labels, labels, value);
    }
  }
}

std::string MetricsRegistry::Render() const {
  std::vector<const Family*> families;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : families_) families.push_back(f.get());
  }
  // Families are never removed, so their pointers stay valid outside the registry lock; this
  // lets callbacks take their own locks without ordering against ours.
  std::string out;
  for (const Family* f : families) RenderFamily(*f, out);
  return out;
}

MetricsRegistry& DefaultMetrics() {
  static MetricsRegistry* registry = new MetricsRegistry();
  return *registry;
}

}  // namespace stripehook::util
