#include "admin/admin_api.h"

#include <utility>

#include "admin/admin_internal.h"

namespace stripehook::admin {
namespace {

class AdminApiImpl final : public AdminApi {
 public:
  explicit AdminApiImpl(AdminApiOptions options) : ctx_(std::move(options)) {}
  internal::AdminContext* ctx() { return &ctx_; }

 private:
  internal::AdminContext ctx_;
};

}  // namespace

std::unique_ptr<AdminApi> AdminApi::Register(http::Router& router, AdminAuth& auth,
                                             AdminApiOptions options) {
  auto api = std::make_unique<AdminApiImpl>(std::move(options));
  internal::AddEventRoutes(router, auth, api->ctx());
  internal::AddStatsRoutes(router, auth, api->ctx());
  internal::AddUserRoutes(router, auth, api->ctx());
  internal::AddSubscriptionHealthRoute(router, auth, api->ctx());
  return api;
}

}  // namespace stripehook::admin
