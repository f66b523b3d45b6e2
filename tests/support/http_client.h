#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stripehook::testing {

struct HttpResult {
  int status = 0;  // 0 = transport error (connection refused/reset/closed)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "";
  }
};

// A deliberately small blocking HTTP/1.1 client over one keep-alive connection, written here so
// the tests do not trust the server's own HTTP stack to check it. Not thread-safe: one per thread.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}
  ~HttpClient() { Close(); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult Request(const std::string& method, const std::string& path, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return {};
      std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      for (const auto& [k, v] : headers) request += k + ": " + v + "\r\n";
      request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
      request += body;
      bool fresh = reused_ == 0;
      if (!SendAll(request)) {
        Close();
        if (fresh) return {};
        continue;  // the server closed an idle keep-alive connection: retry once on a new one
      }
      HttpResult result;
      if (ReadResponse(&result)) {
        ++reused_;
        if (result.Header("connection") == "close") Close();
        return result;
      }
      Close();
      if (fresh) return {};
    }
    return {};
  }

  HttpResult Get(const std::string& path) { return Request("GET", path, ""); }

  bool SendAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  bool Connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      Close();
      return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    reused_ = 0;
    return true;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

  int fd() const { return fd_; }

  // True when the server has closed the connection (read returns 0 or an error).
  bool PeerClosed() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n <= 0;
  }

 private:
  bool Fill() {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool ReadResponse(HttpResult* out) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    std::string head = buffer_.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return false;
    out->status = std::stoi(status_line.substr(9, 3));
    size_t length = 0;
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "content-length") length = std::stoul(value);
        out->headers.emplace_back(name, value);
      }
      pos = next + 2;
    }
    size_t body_start = header_end + 4;
    while (buffer_.size() < body_start + length) {
      if (!Fill()) return false;
    }
    out->body = buffer_.substr(body_start, length);
    buffer_.erase(0, body_start + length);
    return true;
  }

  uint16_t port_;
  int fd_ = -1;
  int reused_ = 0;
  std::string buffer_;
};

}  // namespace stripehook::testing
