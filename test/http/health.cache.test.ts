/**
 * GET /health from the edge cache (the Workers Cache API, as miniflare simulates it): an
 * answer is kept up to 15 s, so a burst reads the database once; a run's end (a POST, a cron
 * tick) forgets it; refused requests never do; and each database has its own entry. (The
 * connections a burst opens are counted at the database proxy in test/reliability/edge.node.test.ts.)
 */
import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { parseConfig, type Bindings } from "../../src/config";
import { forgetHealth } from "../../src/sync/health-cache";
import { createTestDatabase } from "../support/database";
import { freshTest } from "../support/fixtures";
import { fetchWorker, OPERATOR_TOKEN, runScheduled, testBindings } from "../support/worker";
import { fake } from "../reliability/harness";

type HealthBody = { status: string; lastSuccessAt: string | null; lastRunStatus: string | null };

const it = freshTest
  .extend("health", ({ env }) => async (bindings: Bindings = env) => {
    const res = await fetchWorker("/health", undefined, bindings);
    return { status: res.status, cacheControl: res.headers.get("cache-control"), body: (await res.json()) as HealthBody };
  })
  /** A failed run written behind the Worker's back: only a fresh read of the database sees it. */
  .extend(
    "recordFailureBehindItsBack",
    ({ db }) =>
      () =>
        db.db.execute(
          sql`insert into sync_runs (id, trigger, status, started_at, completed_at) values (${crypto.randomUUID()}, 'cron', 'fail', now(), now())`,
        ),
  );

describe("GET /health from the edge cache", () => {
  it("keeps an answer, with its status code, until it is forgotten", async ({ env, db, health, recordFailureBehindItsBack }) => {
    expect(await health()).toEqual({
      status: 200,
      cacheControl: "no-store",
      body: { status: "never", lastSuccessAt: null, lastRunStatus: null, rosterCoverage: null },
    });
    await recordFailureBehindItsBack();
    for (let i = 0; i < 5; i++) expect((await health()).body.status).toBe("never");
    await forgetHealth(parseConfig(env));
    const fresh = await health();
    expect(fresh).toMatchObject({ status: 503, body: { status: "failing", lastRunStatus: "fail" } });
    // A 503 is kept too.
    await db.db.execute(sql`delete from sync_runs`);
    expect(await health()).toMatchObject({ status: 503, body: { status: "failing" } });
  });

  it("is forgotten by a POST that runs, and by a cron tick", async ({ env, health }) => {
    await fake.reset({ size: "small", seed: 4 });
    expect((await health()).body.status).toBe("never");
    const post = await fetchWorker("/api/sync/bakalari", { method: "POST", headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } }, env);
    expect(post.status).toBe(200);
    const afterPost = await health();
    expect(afterPost.body).toMatchObject({ status: "ok", lastRunStatus: "ok" });

    await runScheduled(env);
    const afterCron = await health();
    expect(afterCron.body.status).toBe("ok");
    expect(Date.parse(afterCron.body.lastSuccessAt!)).toBeGreaterThan(Date.parse(afterPost.body.lastSuccessAt!));
  });

  it("is never forgotten by refused requests, so they cannot make /health read the database", async ({
    env,
    health,
    recordFailureBehindItsBack,
  }) => {
    expect((await health()).body.status).toBe("never");
    await recordFailureBehindItsBack();
    for (const headers of [{}, { authorization: "Bearer junk" }, { authorization: `Bearer ${OPERATOR_TOKEN}x` }] as Record<
      string,
      string
    >[]) {
      expect((await fetchWorker("/api/sync/bakalari", { method: "POST", headers }, env)).status).toBe(401);
    }
    expect((await health()).body.status).toBe("never");
  });

  it("keeps one entry per database", async ({ health, recordFailureBehindItsBack }) => {
    await recordFailureBehindItsBack();
    expect((await health()).body.status).toBe("failing");
    const other = testBindings({ DATABASE_URL: await createTestDatabase() });
    expect((await health(other)).body.status).toBe("never");
    expect((await health()).body.status).toBe("failing");
  });
});
