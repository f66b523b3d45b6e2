#include <string>
#include <utility>

#include "admin/ui_assets.h"

namespace stripehook::admin {
namespace {

constexpr std::string_view kPrefix = "/admin/ui";

// The pages load nothing from elsewhere (the chart library is embedded) and talk only to this
// origin. No inline script or style: uPlot styles its elements through the CSSOM
// (element.style), which style-src does not restrict.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// True when an If-None-Match header lists `etag` (or is "*"), as RFC 9110 §13.1.2 reads it.
bool EtagMatches(const http::Request& request, std::string_view etag) {
  std::optional<std::string_view> header = request.Header("if-none-match");
  if (!header) return false;
  std::string_view list = *header;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

http::Response AssetResponse(const http::Request& request, const UiAsset& asset) {
  http::Response response;
  response.content_type = std::string(asset.content_type);
  response.headers.emplace_back("ETag", std::string(asset.etag));
  response.headers.emplace_back(
      "Cache-Control", asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  if (EtagMatches(request, asset.etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.body = std::string(asset.body);
  return response;
}

void ServeUi(http::Request&& request, http::Responder respond) {
  if (request.path == kPrefix) {
    http::Response redirect = http::Response::Text(308, "/admin/ui/\n");
    redirect.headers.emplace_back("Location", "/admin/ui/");
    return respond(std::move(redirect));
  }
  std::string_view name = request.Param("*");
  const UiAsset* asset = FindUiAsset(name);
  if (asset == nullptr) {
    return respond(
        http::Response::Error(404, "not_found", "no dashboard file '" + std::string(name) + "'"));
  }
  respond(AssetResponse(request, *asset));
}

}  // namespace

const UiAsset* FindUiAsset(std::string_view name) {
  if (name.empty()) name = "index.html";
  for (const UiAsset& asset : EmbeddedUiAssets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

void AddDashboardRoutes(http::Router& router) { router.Add("GET", "/admin/ui/*", ServeUi); }

}  // namespace stripehook::admin
