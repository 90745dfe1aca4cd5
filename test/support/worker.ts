/** Calls the Worker's own fetch and scheduled entry points, with per-test bindings. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env as miniflareEnv } from "cloudflare:workers";
import { inject } from "vitest";
import worker from "../../src/index";
import type { Bindings } from "../../src/config";

export const OPERATOR_TOKEN = "test-operator-token-0123456789abcdef";
/** OPERATOR_TOKEN_KEY of the tests' bindings, and its bytes (createToken signs with them). */
export const OPERATOR_TOKEN_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
export const OPERATOR_TOKEN_KEY_BYTES = new Uint8Array(32).fill(7);

export function testBindings(overrides: Partial<Bindings> = {}): Bindings {
  return {
    DATABASE_URL: inject("defaultDatabaseUrl"),
    NEON_WS_PROXY: inject("wsProxy"),
    BAKALARI_URL: inject("fakeBakalariUrl"),
    BAKALARI_USERNAME: "sync-service",
    BAKALARI_PASSWORD: "test-password",
    OPERATOR_TOKEN,
    OPERATOR_TOKEN_KEY,
    // The edge rate limit of failed authentications, as miniflare simulates it (wrangler.toml).
    AUTH_FAILURES: miniflareEnv.AUTH_FAILURES,
    // The public timetable has tests of its own (test/sync/account-scope.test.ts); the rest read the account's views.
    BAKALARI_PUBLIC_TIMETABLE: "off",
    ...overrides,
  };
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
