/** Calls the Worker's own fetch and scheduled entry points, with per-test bindings. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env as configured } from "cloudflare:workers";
import { inject } from "vitest";
import { parseUrl, type Bindings } from "../../src/config";
import worker from "../../src/index";
import { DRIVER, type Driver } from "./driver";
import { hyperdriveFor } from "./hyperdrive";

/**
 * The bindings vitest.config.ts gives the tests' Worker (worker-vars.ts, over wrangler.toml's
 * vars). Its HYPERDRIVE binding is not among them: testBindings hands one on by the driver.
 */
const CONFIGURED: Bindings = { ...(configured as Bindings), HYPERDRIVE: undefined };

function configuredValue(name: "OPERATOR_TOKEN" | "OPERATOR_TOKEN_KEY"): string {
  const value = CONFIGURED[name];
  if (!value) throw new Error(`vitest.config.ts gives the tests' Worker no ${name}`);
  return value;
}

export const OPERATOR_TOKEN = configuredValue("OPERATOR_TOKEN");
/** OPERATOR_TOKEN_KEY of the tests' bindings, and its bytes (createToken signs with them). */
export const OPERATOR_TOKEN_KEY = configuredValue("OPERATOR_TOKEN_KEY");
export const OPERATOR_TOKEN_KEY_BYTES = Uint8Array.from(atob(OPERATOR_TOKEN_KEY), (c) => c.charCodeAt(0));

/**
 * The configured bindings with a test's own over them. With the hyperdrive driver a
 * DATABASE_URL of the test cluster becomes a HYPERDRIVE binding to the same database, and
 * no DATABASE_URL is left to fall back on; any other (an unreachable one) stays as it is.
 */
export function testBindings(overrides: Partial<Bindings> = {}, driver: Driver = DRIVER): Bindings {
  const bindings = { ...CONFIGURED, ...overrides };
  const url = bindings.DATABASE_URL;
  if (driver === "neon" || bindings.HYPERDRIVE || !url || parseUrl(url)?.host !== parseUrl(inject("adminDatabaseUrl"))?.host)
    return bindings;
  return { ...bindings, DATABASE_URL: undefined, HYPERDRIVE: hyperdriveFor(url) };
}

export async function fetchWorker(input: string | Request, init: RequestInit | undefined, env: Bindings): Promise<Response> {
  const request = typeof input === "string" ? new Request(new URL(input, "http://worker.test"), init) : input;
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export async function runScheduled(env: Bindings, cron = "*/15 * * * *"): Promise<void> {
  const ctx = createExecutionContext();
  const controller = createScheduledController({ cron, scheduledTime: Date.now() });
  try {
    await worker.scheduled(controller, env, ctx);
  } finally {
    await waitOnExecutionContext(ctx);
  }
}
