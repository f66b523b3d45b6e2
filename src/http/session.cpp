// One HTTP/1.1 connection: reads a request with a fresh parser, hands it to the handler, writes
// the response when the Responder is called (from any thread), and repeats while keep-alive.
// Shaped after Beast's advanced_server http_session, with the read loop written out so that the
// idle timeout (waiting for a request) and the read timeout (first byte to last) differ, and so
// that a request is parsed straight into our Request without an intermediate Beast message.

#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <chrono>
#include <optional>

#include "http/server_core.h"
#include "http/wire.h"
#include "util/log.h"

namespace stripehook::http::internal {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
// Concrete executor types instead of Asio's default any_io_executor: the type-erased executor
// was copied, compared and destroyed in every async step (6.6 % of the server's samples under
// GET /v1/access load). No strand: a connection's io_context is run by one thread (server.cpp).
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;

constexpr size_t kKeepBufferBytes = 64 * 1024;
constexpr size_t kMaxLingerBytes = 4 * 1024 * 1024;
constexpr std::chrono::milliseconds kMaxLinger{2000};

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Parses one request straight into a Request: no Beast fields container, no copies of the body.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  Request request;
  bool expect_continue = false;

 private:
  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target, int,
                       beast::error_code&) override {
    request.method.assign(method.data(), method.size());
    request.target.assign(target.data(), target.size());
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    std::string lower(name.data(), name.size());
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    if (field == bhttp::field::expect && beast::iequals(value, "100-continue")) {
      expect_continue = true;
    }
    request.headers.emplace_back(std::move(lower), std::string(value.data(), value.size()));
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(boost::optional<std::uint64_t> const& length,
                         beast::error_code&) override {
    // The parser already refused lengths over body_limit, so this reserve is bounded.
    if (length) request.body.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}
};

class Session final : public Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerCore> core, Socket socket)
      : core_(std::move(core)), stream_(std::move(socket)) {}
  ~Session() override {
    if (counted_) core_->in_flight.fetch_sub(1, std::memory_order_relaxed);
    core_->RemoveConnection(this);
  }

  void Start();
  void BeginShutdown() override;
  void ForceClose() override;
  // The Responder's body: any thread; moves the response onto this connection's io thread.
  void Deliver(uint64_t seq, Response response);

 private:
  // kIdle: waiting for the first byte of a request (idle timeout; closed at once on shutdown).
  enum class State { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  void StartRequest();
  void Parse();
  void ReadMore();
  void OnRead(beast::error_code ec, size_t bytes);
  void SendContinue();
  void RejectRequest(int status, std::string_view code, std::string message);
  void OnParseError(beast::error_code ec);
  void Dispatch();
  void CallHandler(Request&& request);
  void OnResponse(uint64_t seq, Response&& response);
  void Write(Response&& response);
  void OnWrite(beast::error_code ec, size_t bytes);
  void FinishRequest();
  void Linger();
  void OnLingerRead(beast::error_code ec, size_t bytes);
  void Close();

  std::shared_ptr<ServerCore> core_;
  Stream stream_;
  beast::flat_buffer buffer_;  // reused across requests; holds pipelined bytes between them
  std::optional<RequestParser> parser_;
  std::string remote_address_;
  std::string request_id_;
  std::string head_;
  Response response_;
  std::string record_method_;
  std::string record_path_;
  int64_t started_ns_ = 0;
  uint64_t seq_ = 0;  // identifies the request a Responder belongs to
  size_t lingered_ = 0;
  State state_ = State::kIdle;
  bool keep_alive_ = true;
  bool head_only_ = false;
  bool counted_ = false;  // this request is counted in core_->in_flight
  bool linger_after_write_ = false;
  bool continue_sent_ = false;
  bool deadline_set_ = false;
};

void Session::Start() {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string();
  stream_.socket().set_option(tcp::no_delay(true), ec);
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&Session::StartRequest, shared_from_this()));
}

void Session::BeginShutdown() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->state_ == State::kIdle) self->Close();
  });
}

void Session::ForceClose() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void Session::StartRequest() {
  if (state_ == State::kClosed) return;
  if (core_->stopping() && buffer_.size() == 0) return Close();
  // Idle connections should not pin the memory of one past large request.
  if (buffer_.size() == 0 && buffer_.capacity() > kKeepBufferBytes) buffer_.shrink_to_fit();
  const ServerOptions& options = core_->options();
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(options.header_limit, UINT32_MAX)));
  parser_->body_limit(options.body_limit);
  parser_->eager(true);
  continue_sent_ = false;
  deadline_set_ = false;
  linger_after_write_ = false;
  Parse();
}

// Feeds buffered bytes to the parser until the request is complete or more bytes are needed.
void Session::Parse() {
  if (buffer_.size() == 0) return ReadMore();
  if (!deadline_set_) {
    // The read timeout covers the whole request from its first byte: slow clients are dropped.
    stream_.expires_after(core_->options().read_timeout);
    deadline_set_ = true;
    state_ = State::kReading;
  }
  for (;;) {
    beast::error_code ec;
    size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) return ReadMore();
    if (ec) return OnParseError(ec);
    if (parser_->is_done()) return Dispatch();
    if (parser_->is_header_done() && parser_->expect_continue && !continue_sent_) {
      return SendContinue();
    }
    if (buffer_.size() == 0 || used == 0) return ReadMore();
  }
}

void Session::ReadMore() {
  if (!deadline_set_) {
    state_ = State::kIdle;
    stream_.expires_after(core_->options().idle_timeout);
  }
  // 4 KiB covers a typical webhook in one read; a larger request grows the buffer as needed.
  size_t size = std::clamp<size_t>(buffer_.capacity() - buffer_.size(), 4096, 65536);
  stream_.async_read_some(buffer_.prepare(size),
                          beast::bind_front_handler(&Session::OnRead, shared_from_this()));
}

void Session::OnRead(beast::error_code ec, size_t bytes) {
  if (state_ == State::kClosed) return;
  // EOF, reset, or timeout: the client is gone or too slow; there is nobody to answer.
  if (ec) return Close();
  buffer_.commit(bytes);
  Parse();
}

void Session::SendContinue() {
  continue_sent_ = true;
  net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (self->state_ == State::kClosed) return;
                     if (ec) return self->Close();
                     self->Parse();
                   });
}

void Session::OnParseError(beast::error_code ec) {
  const ServerOptions& options = core_->options();
  if (ec == bhttp::error::body_limit) {
    return RejectRequest(413, "payload_too_large",
                         "request body exceeds " + std::to_string(options.body_limit) + " bytes");
  }
  if (ec == bhttp::error::header_limit) {
    return RejectRequest(
        431, "headers_too_large",
        "request headers exceed " + std::to_string(options.header_limit) + " bytes");
  }
  RejectRequest(400, "bad_request", "malformed HTTP request: " + ec.message());
}

// Answers without calling the handler and closes: the stream position is unknown after this.
void Session::RejectRequest(int status, std::string_view code, std::string message) {
  Request& partial = parser_->request;
  record_method_ = partial.method;
  record_path_.clear();
  started_ns_ = SteadyNowNs();
  request_id_ = core_->NextRequestId();
  head_only_ = false;
  keep_alive_ = false;
  linger_after_write_ = true;
  Write(Response::Error(status, code, message));
}

void Session::Dispatch() {
  Request request = std::move(parser_->request);
  keep_alive_ = parser_->keep_alive();
  if (!SplitTarget(request)) {
    parser_->request.method = std::move(request.method);
    return RejectRequest(400, "bad_request", "unsupported request target");
  }
  request.received_at_steady_ns = SteadyNowNs();
  request.remote_address = remote_address_;
  auto given_id = request.Header("x-request-id");
  if (given_id && IsValidRequestId(*given_id)) {
    request.request_id.assign(*given_id);
  } else {
    request.request_id = core_->NextRequestId();
  }
  request_id_ = request.request_id;
  started_ns_ = request.received_at_steady_ns;
  head_only_ = request.method == "HEAD";
  if (core_->observer()) {
    record_method_ = request.method;
    record_path_ = request.path;
  }
  ++seq_;
  state_ = State::kHandling;
  counted_ = true;
  core_->in_flight.fetch_add(1, std::memory_order_relaxed);
  CallHandler(std::move(request));
}

// The last-resort catch for handlers: a throwing handler becomes a 500, never a dead connection.
void Session::CallHandler(Request&& request) {
  uint64_t seq = seq_;
  try {
    core_->handler()(std::move(request), [self = shared_from_this(), seq](Response response) {
      self->Deliver(seq, std::move(response));
    });
    return;
  } catch (const std::exception& e) {
    util::LogError("http handler threw").Str("error", e.what()).Str("request_id", request_id_);
  } catch (...) {
    util::LogError("http handler threw").Str("request_id", request_id_);
  }
  OnResponse(seq, Response::Error(500, "internal", "internal server error"));
}

void Session::Deliver(uint64_t seq, Response response) {
  if (core_->finished()) return;
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this(), seq, response = std::move(response)]() mutable {
                  self->OnResponse(seq, std::move(response));
                });
}

void Session::OnResponse(uint64_t seq, Response&& response) {
  // A second call, or a call after the connection closed, is dropped.
  if (state_ != State::kHandling || seq != seq_) return;
  Write(std::move(response));
}

void Session::Write(Response&& response) {
  response_ = std::move(response);
  bool close = response_.close_connection || !keep_alive_ || core_->stopping();
  keep_alive_ = !close;
  SerializeResponseHead(response_, request_id_, close, head_);
  state_ = State::kWriting;
  // A client that does not read its response gets the read timeout too.
  stream_.expires_after(core_->options().read_timeout);
  std::array<net::const_buffer, 2> buffers = {
      net::buffer(head_), head_only_ ? net::const_buffer() : net::buffer(response_.body)};
  net::async_write(stream_, buffers,
                   beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
}

void Session::OnWrite(beast::error_code ec, size_t) {
  if (state_ == State::kClosed) return;
  FinishRequest();
  if (ec) return Close();
  if (linger_after_write_) return Linger();
  if (!keep_alive_) return Close();
  StartRequest();
}

void Session::FinishRequest() {
  if (counted_) {
    counted_ = false;
    core_->in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  if (core_->observer()) {
    double seconds = static_cast<double>(SteadyNowNs() - started_ns_) / 1e9;
    core_->observer()(RequestRecord{record_method_, record_path_, response_.status, seconds});
  }
  std::string().swap(response_.body);  // a large body must not stay allocated while idle
}

// After an error response the client may still be sending the rejected body; closing now would
// reset the connection and could destroy the response in flight. Half-close, then drain briefly.
void Session::Linger() {
  state_ = State::kLingering;
  beast::error_code ec;
  stream_.socket().shutdown(Socket::shutdown_send, ec);
  if (ec) return Close();
  lingered_ = 0;
  stream_.expires_after(
      std::min<std::chrono::milliseconds>(core_->options().read_timeout, kMaxLinger));
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(65536),
                          beast::bind_front_handler(&Session::OnLingerRead, shared_from_this()));
}

void Session::OnLingerRead(beast::error_code ec, size_t bytes) {
  if (state_ == State::kClosed) return;
  lingered_ += bytes;
  if (ec || lingered_ > kMaxLingerBytes) return Close();
  stream_.async_read_some(buffer_.prepare(65536),
                          beast::bind_front_handler(&Session::OnLingerRead, shared_from_this()));
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  if (counted_) {
    counted_ = false;
    core_->in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  state_ = State::kClosed;
  beast::error_code ec;
  stream_.socket().shutdown(Socket::shutdown_both, ec);
  stream_.close();
  core_->RemoveConnection(this);
}

}  // namespace

void StartSession(std::shared_ptr<ServerCore> core, int native_socket, bool ipv6) {
  Socket socket(core->SessionContext().get_executor());
  beast::error_code ec;
  socket.assign(ipv6 ? tcp::v6() : tcp::v4(), native_socket, ec);
  if (ec) {
    ::close(native_socket);
    util::LogWarn("http cannot adopt accepted socket").Str("error", ec.message());
    return;
  }
  ServerCore* server = core.get();
  auto session = std::make_shared<Session>(std::move(core), std::move(socket));
  // Over max_connections (or stopping) the connection is closed at once by ~Session.
  if (!server->AddConnection(session)) return;
  session->Start();
}

}  // namespace stripehook::http::internal
