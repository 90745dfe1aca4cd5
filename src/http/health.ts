import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { readHealth } from "../sync/health";
import { cachedHealth, forgetHealth } from "../sync/health-cache";
import type { AppEnv } from "./context";
import { methodNotAllowed } from "./errors";

/**
 * GET /health: no auth, no personal data. 200 for ok and never, 503 otherwise. Served from
 * the edge cache for up to 15 s (src/sync/health-cache.ts); the database is opened on a miss only.
 */
export const healthRoutes = new Hono<AppEnv>()
  .get("/health", async (c) => {
    const health = await cachedHealth(c.var.config, () => readHealth(c.var.database().db));
    const healthy = health.status === "ok" || health.status === "never";
    c.header("Cache-Control", "no-store");
    return c.json(health, healthy ? 200 : 503);
  })
  .all("/health", methodNotAllowed("GET"));

/**
 * After a POST that got past auth (a run ended, or was refused as a whole): the next /health
 * in this location reads the database. Refused credentials (401, 429) never touch the cache.
 */
export const forgetHealthAfterPost = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.req.method === "POST" && c.res.status !== 401 && c.res.status !== 429) await forgetHealth(c.var.config);
});
