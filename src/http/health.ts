import { Hono } from "hono";
import { readHealth } from "../sync/health";
import type { AppEnv } from "./context";
import { methodNotAllowed } from "./errors";

/** GET /health: no auth, no personal data. 200 for ok and never, 503 otherwise. */
export const healthRoutes = new Hono<AppEnv>().get("/health", async (c) => {
  const health = await readHealth(c.var.database().db);
  const healthy = health.status === "ok" || health.status === "never";
  c.header("Cache-Control", "no-store");
  return c.json(health, healthy ? 200 : 503);
}).all("/health", methodNotAllowed("GET"));
