import { createMiddleware } from "hono/factory";
import type { Bindings, Config } from "../config";
import { parseConfig } from "../config";
import { openDatabase, type Database } from "../db/client";
import type { Logger } from "../log";

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: Config;
    /** Opens the invocation's database on first use; it is ended through waitUntil. */
    database: () => Database;
    log: Logger;
  };
};

/** Parses the configuration once per request and makes the database handle available lazily. */
export const invocationResources = (log: Logger) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const config = parseConfig(c.env);
    let database: Database | null = null;
    c.set("config", config);
    c.set("log", log);
    c.set("database", () => (database ??= openDatabase(config)));
    try {
      await next();
    } finally {
      if (database) {
        const ending = (database as Database).end();
        try {
          c.executionCtx.waitUntil(ending);
        } catch {
          await ending; // no execution context (unit tests calling app.request)
        }
      }
    }
  });
