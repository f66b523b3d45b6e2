// Admin routes of the scheduler: the job list, on-demand runs, and POST /admin/reconcile.
#include <string>

#include "app/service_jobs.h"

namespace stripehook::app {
namespace {

http::Response RunResponse(const std::string& name, const JobRun& run) {
  return http::Response::Json(run.outcome == "error" ? 502 : 200, JobRunToJson(name, run));
}

// Starts `name` and answers when it has finished; the HTTP thread never waits on the job.
void TriggerAndRespond(Scheduler& scheduler, const std::string& name, http::Responder respond) {
  util::Status started = scheduler.Trigger(
      name, [name, respond](const JobRun& run) { respond(RunResponse(name, run)); });
  if (started.ok()) return;
  switch (started.code()) {
    case util::StatusCode::kNotFound:
      return respond(http::Response::Error(404, "not_found", started.message()));
    case util::StatusCode::kFailedPrecondition:
      return respond(http::Response::Error(409, "conflict", started.message()));
    default:
      return respond(http::Response::Error(503, "unavailable", started.message()));
  }
}

}  // namespace

void ServiceJobs::AddRoutes(http::Router& router, admin::AdminAuth& auth) {
  admin::AddAdminRoute(router, auth, "GET", "/admin/jobs",
                       [this](http::Request&&, http::Responder respond) {
                         respond(http::Response::Json(200, JobsToJson(scheduler_->Jobs())));
                       });
  admin::AddAdminRoute(router, auth, "POST", "/admin/jobs/{name}/run",
                       [this](http::Request&& request, http::Responder respond) {
                         TriggerAndRespond(*scheduler_, std::string(request.Param("name")),
                                           std::move(respond));
                       });
  admin::AddAdminRoute(router, auth, "POST", "/admin/reconcile",
                       [this](http::Request&&, http::Responder respond) {
                         TriggerAndRespond(*scheduler_, kReconcileJob, std::move(respond));
                       });
}

}  // namespace stripehook::app
