#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "latency_histogram.h"
#include "request_template.h"

namespace stripehook::bench {

// What one load thread does. Closed loop (rate == 0): every connection sends its next request
// as soon as the previous answer arrives. Open loop (rate > 0): requests are due at fixed
// intervals whether or not a connection is free; a due request waits for a free connection and
// its latency counts from the time it was due, so a stalled server is charged for every request
// it kept waiting (no coordinated omission).
struct LoadSpec {
  sockaddr_in address{};
  std::string host;  // Host header
  std::string path;
  std::string secret;
  int connections = 1;
  double rate = 0;                           // this thread's requests/s; 0 = closed loop
  int64_t schedule_offset_ns = 0;            // open loop: when this thread's first request is due
  int64_t duration_ns = 0;                   // 0: run until max_requests
  int64_t max_requests = 0;                  // 0: run until duration_ns
  int64_t drain_timeout_ns = 5'000'000'000;  // after the end, how long to wait for answers
  double duplicate_fraction = 0;             // share of requests that resend an already accepted id
  double bad_signature_fraction = 0;
  uint64_t seed = 1;
  std::string id_tag;  // 11 characters unique to this thread and run
  const BodyTemplate* body = nullptr;
  std::string extra_headers;  // "Name: value\r\n" lines added to every request

  // Instead of the template, complete event bodies sent once each, signed as they are: this
  // thread sends events[first], events[first + stride], ... in that order (max_requests of them).
  const std::vector<std::string>* events = nullptr;
  size_t events_first = 0;
  size_t events_stride = 1;

  // GET mode (get_users > 0): GET path_prefix + n + path_suffix, n uniform in [0, get_users),
  // instead of a webhook POST.
  int64_t get_users = 0;
  std::string path_prefix;
  std::string path_suffix;
};

struct LoadResult {
  int64_t sent = 0;
  int64_t completed = 0;   // responses received, any status
  int64_t accepted = 0;    // 200 with "accepted"
  int64_t duplicates = 0;  // 200 with "duplicate"
  int64_t errors = 0;      // connect failures, resets, unparsable or missing responses
  int64_t unsent = 0;      // open loop: requests still waiting for a connection at the end
  int64_t duplicates_sent = 0;
  int64_t bad_signatures_sent = 0;
  std::map<int, int64_t> by_status;
  LatencyHistogram latency;  // microseconds, from intended send time to full response
  int64_t elapsed_ns = 0;    // from start to the last answer

  void Merge(const LoadResult& other);
};

// Runs one load thread to completion; `start_ns` is CLOCK_MONOTONIC (shared by all threads).
LoadResult RunLoad(const LoadSpec& spec, int64_t start_ns);

// CLOCK_MONOTONIC in nanoseconds.
int64_t MonotonicNowNs();

}  // namespace stripehook::bench
