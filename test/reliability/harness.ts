/**
 * Shared steps of the reliability suite (workers project): call the Worker, read the
 * run's record, and compare the database with the school the fake holds.
 */
import { sql } from "drizzle-orm";
import { expect, inject, vi } from "vitest";
import { fakeControl } from "../../dev/fake-bakalari/control";
import type { Bindings } from "../../src/config";
import type { Database } from "../../src/db/client";
import { test } from "../support/fixtures";
import { activeView, expectedView, refIntegrity } from "../support/inspect";
import { asRoster } from "../support/roster";
import { fetchWorker, OPERATOR_TOKEN } from "../support/worker";

export const fake = fakeControl(inject("fakeBakalariUrl"));
export const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };
/** base64 of 32 bytes: runs cache the Bakaláři token pair, as in production. */
export const TOKEN_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));

// The API's bodies are checked field by field in the tests; any is the honest type here.
export type Json = Record<string, any>;

/**
 * The Worker against the fake school, one database for the file (support/fixtures.ts's `test`)
 * with the token key in its bindings, and `logs`: every console.log event of the file's runs,
 * kept instead of printed (logs.test.ts reads what the Worker logs; here it would only be noise).
 */
export const workerTest = test
  .extend("bindings", { scope: "file" }, { BAKALARI_TOKEN_KEY: TOKEN_KEY })
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern; it has none.
  .extend("logs", { scope: "file", auto: true }, ({}, { onCleanup }) => {
    const logs: Json[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((event: unknown) => void logs.push(event as Json));
    onCleanup(() => spy.mockRestore());
    return logs;
  })
  /** expectRecovers on the file's Worker and database: the next run ends ok and the database equals the school. */
  .extend(
    "recovers",
    ({ env, db }) =>
      () =>
        expectRecovers(env, db),
  );

const wsProxy = (path: string, method = "POST") => fetch(`http://${inject("wsProxy")}/control/${path}`, { method });

/**
 * Arms the WebSocket-to-TCP proxy (Neon's driver only) to drop the connection that sends
 * `marker`, text only this test's run sends; resolves to a check that it did drop one.
 */
export async function dropOn(marker: string): Promise<() => Promise<void>> {
  const dropped = async () => ((await (await wsProxy("stats", "GET")).json()) as { dropped: number }).dropped;
  const before = await dropped();
  expect((await wsProxy(`drop-on?match=${encodeURIComponent(marker)}`)).status).toBe(200);
  return async () => expect(await dropped()).toBe(before + 1);
}

/** Disarms the proxy (after each test that armed it). */
export const resetWsProxy = () => wsProxy("reset");

export type Answer = { status: number; headers: Headers; body: Json };

/** POST /api/sync/bakalari through the Worker's own fetch. */
export async function postSync(env: Bindings, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetchWorker(
    "/api/sync/bakalari",
    {
      method: "POST",
      headers: { ...auth, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    env,
  );
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

export async function getJson(env: Bindings, path: string, headers: Record<string, string> = auth): Promise<Answer> {
  const res = await fetchWorker(path, { headers }, env);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

export type RunRow = {
  id: string;
  trigger: string;
  status: string;
  request_id: string | null;
  completed_at: string | null;
  lease_expires_at: string | null;
  errors: { code: string; message: string; endpoint?: string }[];
  warnings: { code: string; message: string }[];
};

export async function runRow(db: Database, runId: string): Promise<RunRow | undefined> {
  const rows = (
    await db.db.execute(sql`
    select id::text as id, trigger, status, request_id, completed_at::text as completed_at,
           lease_expires_at::text as lease_expires_at, errors, warnings
      from sync_runs where id = ${runId}`)
  ).rows as RunRow[];
  return rows[0];
}

/** The database holds exactly the fake's school: every active row, and refs whole. */
export async function expectConverged(db: Database): Promise<void> {
  expect(await activeView(db)).toEqual(expectedView(asRoster(await fake.expected())));
  expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
}

/** A run that ends ok and leaves the database equal to the school. */
export async function expectRecovers(env: Bindings, db: Database): Promise<Answer> {
  const next = await postSync(env);
  expect(next.status, JSON.stringify(next.body)).toBe(200);
  expect(next.body.status).toBe("ok");
  await expectConverged(db);
  const health = await getJson(env, "/health", {});
  expect(health.body.status).toBe("ok");
  return next;
}

/** A failed run: its answer, its record and /health agree on the code, and the lease is released. */
export async function expectRecordedFailure(env: Bindings, db: Database, answer: Answer, code: string): Promise<RunRow> {
  expect(answer.body, JSON.stringify(answer.body)).toMatchObject({
    success: false,
    code,
    status: "fail",
    runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    errors: [expect.objectContaining({ code })],
    requestId: answer.headers.get("x-request-id"),
  });
  const row = await runRow(db, answer.body.runId);
  expect(row).toMatchObject({ status: "fail", lease_expires_at: null, errors: answer.body.errors });
  expect(row!.completed_at).not.toBeNull();
  expect(row!.errors[0]!.message.length).toBeGreaterThan(10);
  const health = await getJson(env, "/health", {});
  expect(health.status).toBe(503);
  expect(health.body.status).toBe("failing");
  return row!;
}
