import { parseConfig, type Bindings } from "./config";
import { createApp } from "./http/app";
import { consoleLogger } from "./log";
import { forgetHealth } from "./sync/health-cache";
import { runSync } from "./sync/engine";
import type { RunError } from "./sync/run-records";

const app = createApp();

export default {
  fetch: app.fetch,

  /**
   * The cron trigger: the same sync with trigger "cron". A failed or held run makes
   * the invocation fail, so Cloudflare's cron history shows it; a skipped run does not.
   * Errors are thrown as plain Errors with a code, never as unhandled rejections.
   */
  async scheduled(_controller, env, _ctx) {
    let config;
    try {
      config = parseConfig(env);
    } catch (error) {
      consoleLogger({
        level: "ERROR",
        message: "config_invalid",
        trigger: "cron",
        problems: (error as { problems?: string[] }).problems ?? [],
      });
      throw error;
    }
    let outcome;
    try {
      outcome = await runSync({ config, log: consoleLogger }, { trigger: "cron" });
    } catch (error) {
      // The run could not even take its lease (the database unreachable): nothing to record it in.
      const name = error instanceof Error ? error.name : "Error";
      consoleLogger({
        level: "ERROR",
        message: "sync_fail",
        trigger: "cron",
        runId: null,
        errors: [{ code: "SYNC_FAILED", message: `The run could not start (${name})` } satisfies RunError],
      });
      throw new Error(`Bakaláři sync could not start (${name})`);
    } finally {
      // The next GET /health (in this location) reads the run that just ended.
      await forgetHealth(config);
    }
    if (outcome.status === "fail") throw new Error(`Bakaláři sync failed (${outcome.code}); run ${outcome.runId}`);
    if (outcome.status === "held") throw new Error(`Bakaláři sync held for review (SAFETY_HOLD); run ${outcome.runId}`);
  },
} satisfies ExportedHandler<Bindings>;
