// stripehook-verify-only: the ceiling for ingest. The same HTTP server, router, signature check
// and envelope parse as `stripehook serve`, answering as ingest does, but storing nothing: the
// gap between this and durable ingest is the price of durability (bench/run.sh prints both).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"
#include "http/router.h"
#include "http/server.h"
#include "stripe/envelope.h"
#include "stripe/signature.h"
#include "util/clock.h"
#include "util/json_text.h"

namespace stripehook::bench {
namespace {

struct Options {
  uint16_t port = 0;
  int threads = 2;
  std::string secret;
};

std::string AcceptedBody(std::string_view id) {
  std::string body = "{\"status\":\"accepted\",\"id\":";
  util::AppendJsonString(body, id);
  body += '}';
  return body;
}

// Mirrors ingest::WebhookIngest::Handle up to the point where it hands the event to the store.
void HandleWebhook(const std::vector<std::string>& secrets, http::Request&& request,
                   http::Responder respond) {
  if (request.HeaderCount("stripe-signature") > 1) {
    return respond(
        http::Response::Error(400, "signature_malformed", "more than one Stripe-Signature header"));
  }
  std::string_view header;
  if (auto value = request.Header("stripe-signature")) header = *value;
  stripe::VerifyResult verdict = stripe::VerifySignature(
      request.body, header, secrets, util::SystemClock::Default().NowUnixSeconds());
  if (!verdict.ok()) {
    return respond(
        http::Response::Error(400, stripe::SignatureErrorCode(verdict.error), verdict.message));
  }
  util::StatusOr<stripe::EventEnvelope> envelope = stripe::ParseEventEnvelope(request.body);
  if (!envelope.ok()) {
    return respond(http::Response::Error(400, "invalid_payload", envelope.status().message()));
  }
  respond(http::Response::Json(200, AcceptedBody(envelope->id)));
}

int Serve(const Options& options) {
  std::vector<std::string> secrets{options.secret};
  http::Router router;
  router.Add("GET", "/healthz", [](http::Request&&, http::Responder respond) {
    respond(http::Response::Json(200, R"({"status":"ok"})"));
  });
  router.Add("POST", "/webhooks/stripe",
             [&secrets](http::Request&& request, http::Responder respond) {
               HandleWebhook(secrets, std::move(request), std::move(respond));
             });
  http::ServerOptions server_options;
  server_options.port = options.port;
  server_options.threads = options.threads;
  auto server = http::Server::Create(server_options, router.AsHandler());
  if (!server.ok()) {
    std::fprintf(stderr, "verify-only: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("listening on %u\n", static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);
  (*server)->Run();
  return 0;
}

}  // namespace
}  // namespace stripehook::bench

int main(int argc, char** argv) {
  CLI::App app{"stripehook-verify-only: HTTP + signature + envelope, no storage"};
  stripehook::bench::Options options;
  app.add_option("--port", options.port, "port on 127.0.0.1; 0 picks a free one");
  app.add_option("--threads", options.threads, "server I/O threads")->check(CLI::Range(1, 64));
  app.add_option("--secret", options.secret, "signing secret (default: $STRIPE_WEBHOOK_SECRET)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (options.secret.empty()) {
    const char* env = std::getenv("STRIPE_WEBHOOK_SECRET");
    options.secret = env ? env : "";
  }
  if (options.secret.empty()) {
    std::fprintf(stderr, "verify-only: need --secret or STRIPE_WEBHOOK_SECRET\n");
    return 2;
  }
  return stripehook::bench::Serve(options);
}
