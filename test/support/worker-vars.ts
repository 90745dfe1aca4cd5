/**
 * The tests' Worker bindings: their one definition. vitest.config.ts gives them to miniflare for
 * the workers projects (testBindings() in worker.ts reads them back and points them at a test's
 * own database), and the Node-side tests give them to `wrangler dev` (dev/wrangler-dev.ts).
 */

/** Where the Worker finds Postgres (through the WebSocket-to-TCP proxy) and the fake school. */
export type WorkerAddresses = { databaseUrl: string; wsProxy: string; bakalariUrl: string };

export function workerVars(at: WorkerAddresses, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: at.databaseUrl,
    NEON_WS_PROXY: at.wsProxy,
    BAKALARI_URL: at.bakalariUrl,
    // The fake school's management account (dev/fake-bakalari: every account has this password).
    BAKALARI_USERNAME: "sync-service",
    BAKALARI_PASSWORD: "test-password",
    OPERATOR_TOKEN: "test-operator-token-0123456789abcdef",
    // base64 of 32 bytes: stored operator tokens are signed with them (createToken).
    OPERATOR_TOKEN_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(7))),
    // The public timetable has tests of its own (test/sync/account-scope.test.ts); the rest read
    // the account's own views, so that the fake's truth (teachers' names included) is what syncs.
    BAKALARI_PUBLIC_TIMETABLE: "off",
    ...overrides,
  };
}
