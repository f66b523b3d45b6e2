#include "load_worker.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "http_response.h"
#include "util/check.h"

namespace stripehook::bench {

int64_t MonotonicNowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void LoadResult::Merge(const LoadResult& other) {
  sent += other.sent;
  completed += other.completed;
  accepted += other.accepted;
  duplicates += other.duplicates;
  errors += other.errors;
  unsent += other.unsent;
  duplicates_sent += other.duplicates_sent;
  bad_signatures_sent += other.bad_signatures_sent;
  for (const auto& [status, n] : other.by_status) by_status[status] += n;
  latency.Merge(other.latency);
  elapsed_ns = std::max(elapsed_ns, other.elapsed_ns);
}

namespace {

constexpr int64_t kReconnectDelayNs = 20'000'000;
constexpr size_t kRecentIdCapacity = 4096;
// A server that is down must not keep a --requests run spinning forever.
constexpr int64_t kMaxConsecutiveErrors = 1000;

struct Connection {
  enum class State { kDown, kConnecting, kIdle, kWriting, kReading };
  explicit Connection(const LoadSpec& spec)
      : renderer(*spec.body, spec.host, spec.path, spec.secret, spec.extra_headers) {}
  int fd = -1;
  State state = State::kDown;
  RequestRenderer renderer;
  size_t written = 0;
  std::string in;
  int64_t intended_ns = 0;
  int64_t reconnect_at_ns = 0;
  std::string id;  // id suffix of the request in flight
};

// One thread's epoll loop. Connections are indexed by position; the index is the epoll cookie.
class LoadWorker {
 public:
  LoadWorker(const LoadSpec& spec, int64_t start_ns)
      : spec_(spec), start_ns_(start_ns), rng_(spec.seed), epoll_fd_(epoll_create1(0)) {
    SH_CHECK(epoll_fd_ >= 0);
    for (int i = 0; i < spec.connections; ++i) conns_.push_back(std::make_unique<Connection>(spec));
    next_due_ns_ = start_ns + spec.schedule_offset_ns;
  }
  ~LoadWorker() {
    for (auto& c : conns_) CloseFd(*c);
    close(epoll_fd_);
  }

  LoadResult Run();

 private:
  bool open_loop() const { return spec_.rate > 0; }
  bool Scheduling(int64_t now) const;
  void GenerateDue(int64_t now);
  bool HasWork() const { return open_loop() ? !pending_.empty() : true; }
  void Dispatch(int64_t now);
  void Connect(size_t index, int64_t now);
  void OnEvent(size_t index, uint32_t events, int64_t now);
  void StartRequest(Connection& c, int64_t intended_ns);
  void RenderFromSource(Connection& c);
  void RenderFromTemplate(Connection& c);
  void ContinueWrite(Connection& c, int64_t now);
  void ContinueRead(size_t index, int64_t now);
  void OnResponse(size_t index, const ParsedResponse& response, int64_t now);
  void RememberAccepted(const std::string& id);
  void Fail(Connection& c, int64_t now);
  void CloseFd(Connection& c);
  // How long epoll may sleep: until the next due request, reconnect or the end of the run.
  timespec Timeout(int64_t now) const;
  std::string NextFreshId();

  const LoadSpec& spec_;
  const int64_t start_ns_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
  int epoll_fd_;
  std::vector<std::unique_ptr<Connection>> conns_;
  std::deque<int64_t> pending_;  // open loop: intended send times not yet sent
  int64_t next_due_ns_ = 0;
  int64_t scheduled_ = 0;
  int64_t id_counter_ = 0;
  int in_flight_ = 0;
  int64_t consecutive_errors_ = 0;
  std::vector<std::string> recent_ids_;
  LoadResult result_;
};

bool LoadWorker::Scheduling(int64_t now) const {
  if (consecutive_errors_ >= kMaxConsecutiveErrors) return false;
  if (spec_.duration_ns > 0 && now >= start_ns_ + spec_.duration_ns) return false;
  if (spec_.max_requests > 0 && (open_loop() ? scheduled_ : result_.sent) >= spec_.max_requests) {
    return false;
  }
  return true;
}

void LoadWorker::GenerateDue(int64_t now) {
  if (!open_loop()) return;
  const double interval_ns = 1e9 / spec_.rate;
  while (next_due_ns_ <= now && Scheduling(next_due_ns_)) {
    pending_.push_back(next_due_ns_);
    ++scheduled_;
    next_due_ns_ = start_ns_ + spec_.schedule_offset_ns +
                   static_cast<int64_t>(static_cast<double>(scheduled_) * interval_ns);
  }
}

void LoadWorker::Dispatch(int64_t now) {
  for (size_t i = 0; i < conns_.size(); ++i) {
    Connection& c = *conns_[i];
    if (c.state == Connection::State::kDown && c.reconnect_at_ns <= now) Connect(i, now);
    if (c.state != Connection::State::kIdle || !Scheduling(now) || !HasWork()) continue;
    int64_t intended = now;
    if (open_loop()) {
      intended = pending_.front();
      pending_.pop_front();
    }
    StartRequest(c, intended);
    if (c.state == Connection::State::kWriting) ContinueWrite(c, now);
  }
}

void LoadWorker::Connect(size_t index, int64_t now) {
  Connection& c = *conns_[index];
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  SH_CHECK(c.fd >= 0);
  int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  int rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&spec_.address), sizeof(spec_.address));
  if (rc != 0 && errno != EINPROGRESS) {
    Fail(c, now);
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = index;
  SH_CHECK(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) == 0);
  c.state = rc == 0 ? Connection::State::kIdle : Connection::State::kConnecting;
  c.in.clear();
}

std::string LoadWorker::NextFreshId() {
  std::string id = spec_.id_tag;
  std::string counter = std::to_string(id_counter_++);
  id.append(kEventIdSuffixWidth - id.size() - counter.size(), '0');
  id += counter;
  return id;
}

void LoadWorker::StartRequest(Connection& c, int64_t intended_ns) {
  if (spec_.events != nullptr || spec_.get_users > 0) {
    RenderFromSource(c);
  } else {
    RenderFromTemplate(c);
  }
  ++result_.sent;
  ++in_flight_;
  c.intended_ns = intended_ns;
  c.written = 0;
  c.state = Connection::State::kWriting;
}

void LoadWorker::RenderFromSource(Connection& c) {
  if (spec_.events != nullptr) {
    size_t index = spec_.events_first + static_cast<size_t>(result_.sent) * spec_.events_stride;
    c.renderer.RenderEvent((*spec_.events)[index], static_cast<int64_t>(time(nullptr)));
    c.id.clear();
    return;
  }
  std::string path = spec_.path_prefix;
  path += std::to_string(rng_() % static_cast<uint64_t>(spec_.get_users));
  path += spec_.path_suffix;
  c.renderer.RenderGet(path);
}

void LoadWorker::RenderFromTemplate(Connection& c) {
  bool duplicate = !recent_ids_.empty() && unit_(rng_) < spec_.duplicate_fraction;
  bool bad = !duplicate && unit_(rng_) < spec_.bad_signature_fraction;
  c.id = duplicate ? recent_ids_[rng_() % recent_ids_.size()] : NextFreshId();
  c.renderer.Render(c.id, static_cast<int64_t>(time(nullptr)), bad);
  result_.duplicates_sent += duplicate;
  result_.bad_signatures_sent += bad;
}

void LoadWorker::ContinueWrite(Connection& c, int64_t now) {
  std::array<iovec, 2> iov = c.renderer.Buffers();
  size_t skip = c.written;
  int first = 0;
  while (first < 2 && skip >= iov[first].iov_len) skip -= iov[first++].iov_len;
  if (first == 2) return;  // already fully written
  iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + skip;
  iov[first].iov_len -= skip;
  ssize_t n = writev(c.fd, iov.data() + first, 2 - first);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) Fail(c, now);
    return;
  }
  c.written += static_cast<size_t>(n);
  if (c.written == c.renderer.size()) c.state = Connection::State::kReading;
}

void LoadWorker::ContinueRead(size_t index, int64_t now) {
  Connection& c = *conns_[index];
  char buffer[16 * 1024];
  for (;;) {
    ssize_t n = read(c.fd, buffer, sizeof(buffer));
    if (n > 0) {
      c.in.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    Fail(c, now);  // EOF or error: the server closed on us
    return;
  }
  if (c.state != Connection::State::kReading) return;
  ParsedResponse response = ParseResponse(c.in);
  if (response.state == ParsedResponse::State::kIncomplete) return;
  if (response.state == ParsedResponse::State::kError) {
    Fail(c, now);
    return;
  }
  OnResponse(index, response, now);
}

void LoadWorker::OnResponse(size_t index, const ParsedResponse& response, int64_t now) {
  Connection& c = *conns_[index];
  --in_flight_;
  consecutive_errors_ = 0;
  ++result_.completed;
  ++result_.by_status[response.status];
  result_.latency.Record((now - c.intended_ns) / 1000);
  result_.elapsed_ns = now - start_ns_;
  if (response.status == 200 && response.body.find("\"accepted\"") != std::string_view::npos) {
    ++result_.accepted;
    RememberAccepted(c.id);
  } else if (response.status == 200 &&
             response.body.find("\"duplicate\"") != std::string_view::npos) {
    ++result_.duplicates;
  }
  bool close_after = response.close;
  c.in.erase(0, response.total_size);
  if (close_after) {
    CloseFd(c);
    c.reconnect_at_ns = now;
    return;
  }
  c.state = Connection::State::kIdle;
}

// Ids that --duplicates may resend; an --events body (empty id) is never resent.
void LoadWorker::RememberAccepted(const std::string& id) {
  if (id.empty()) return;
  if (recent_ids_.size() < kRecentIdCapacity) {
    recent_ids_.push_back(id);
  } else {
    recent_ids_[rng_() % kRecentIdCapacity] = id;
  }
}

void LoadWorker::OnEvent(size_t index, uint32_t events, int64_t now) {
  Connection& c = *conns_[index];
  if (c.state == Connection::State::kConnecting) {
    int error = 0;
    socklen_t len = sizeof(error);
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) {
      Fail(c, now);
      return;
    }
    c.state = Connection::State::kIdle;
    return;
  }
  if ((events & EPOLLOUT) && c.state == Connection::State::kWriting) ContinueWrite(c, now);
  if (c.fd >= 0 && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    ContinueRead(index, now);
  }
}

// An idle keep-alive connection closed by the server is not an error: it is reopened.
void LoadWorker::Fail(Connection& c, int64_t now) {
  if (c.state != Connection::State::kIdle) {
    ++result_.errors;
    ++consecutive_errors_;
  }
  if (c.state == Connection::State::kWriting || c.state == Connection::State::kReading) {
    --in_flight_;
  }
  CloseFd(c);
  c.reconnect_at_ns = now + kReconnectDelayNs;
}

void LoadWorker::CloseFd(Connection& c) {
  if (c.fd >= 0) close(c.fd);  // closing also removes it from the epoll set
  c.fd = -1;
  c.state = Connection::State::kDown;
  c.in.clear();
}

// In nanoseconds (epoll_pwait2): epoll_wait's whole milliseconds, rounded up, sent an open loop's
// requests up to 1 ms after they were due (at 2,000/s every wait was 1 ms for a request due in
// under 0.5 ms), and since latency counts from the due time, that lateness was charged to the
// server (interleaved at 2,000/s, same server: p50 1.96-1.99 -> 1.30-1.37 ms).
timespec LoadWorker::Timeout(int64_t now) const {
  int64_t wake = now + 100'000'000;
  if (open_loop() && Scheduling(next_due_ns_)) wake = std::min(wake, next_due_ns_);
  for (const auto& c : conns_) {
    if (c->state == Connection::State::kDown) wake = std::min(wake, c->reconnect_at_ns);
  }
  if (spec_.duration_ns > 0) wake = std::min(wake, start_ns_ + spec_.duration_ns);
  int64_t ns = std::max<int64_t>(wake - now, 0);
  return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

LoadResult LoadWorker::Run() {
  std::vector<epoll_event> events(conns_.size() + 1);
  int64_t drain_deadline = 0;
  for (;;) {
    int64_t now = MonotonicNowNs();
    GenerateDue(now);
    if (Scheduling(now)) {
      Dispatch(now);
    } else {
      if (drain_deadline == 0) drain_deadline = now + spec_.drain_timeout_ns;
      if (in_flight_ == 0 || now >= drain_deadline) break;
    }
    timespec timeout = Timeout(now);
    int n =
        epoll_pwait2(epoll_fd_, events.data(), static_cast<int>(events.size()), &timeout, nullptr);
    now = MonotonicNowNs();
    for (int i = 0; i < n; ++i) OnEvent(events[i].data.u64, events[i].events, now);
  }
  result_.errors += in_flight_;  // never answered within the drain timeout
  result_.unsent = static_cast<int64_t>(pending_.size());
  if (result_.elapsed_ns == 0) result_.elapsed_ns = MonotonicNowNs() - start_ns_;
  return std::move(result_);
}

}  // namespace

LoadResult RunLoad(const LoadSpec& spec, int64_t start_ns) {
  LoadWorker worker(spec, start_ns);
  return worker.Run();
}

}  // namespace stripehook::bench
