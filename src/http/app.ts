import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { API_ERROR_STATUS } from "../codes";
import { consoleLogger, type Logger } from "../log";
import { invocationResources, type AppEnv } from "./context";
import { dashboardRoutes } from "./dashboard/routes";
import { errorBody, handleError } from "./errors";
import { forgetHealthAfterPost, healthRoutes } from "./health";
import { requestId } from "./request-id";
import { syncRoutes } from "./sync-routes";

/** Builds the Worker's HTTP app; tests build the same one. */
export function createApp(log: Logger = consoleLogger) {
  const app = new Hono<AppEnv>()
    .use(requestId)
    .use(secureHeaders())
    // Before the per-request resources: the page needs neither config nor database.
    .route("/", dashboardRoutes)
    .use(invocationResources(log))
    .route("/", healthRoutes)
    .use("/api/sync/bakalari", forgetHealthAfterPost)
    .route("/", syncRoutes);
  app.notFound((c) =>
    c.json(
      errorBody(c.var.requestId, "NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`),
      API_ERROR_STATUS.NOT_FOUND,
    ),
  );
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
