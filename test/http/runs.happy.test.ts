import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { parseConfig } from "../../src/config";
import { forgetHealth } from "../../src/sync/health-cache";
import type { SyncRun } from "../../src/sync/run-records";
import { test } from "../support/fixtures";
import { makeSchool, rosterOf } from "../support/roster";
import { expectStatus } from "../support/sync";
import { fetchWorker } from "../support/worker";
import { auth } from "../reliability/harness";

const it = test.extend("health", ({ env }) => async () => {
  // Runs are written behind the Worker's back here, and /health may come from the edge cache
  // for 15 s: forget it first, as the end of a run does.
  await forgetHealth(parseConfig(env));
  const res = await fetchWorker("/health", undefined, env);
  return {
    status: res.status,
    body: (await res.json()) as { status: string; lastSuccessAt: string | null; lastRunStatus: string | null },
  };
});

describe("GET /api/sync/runs and /health", () => {
  it("lists runs newest first, pages with before, and shows one run", async ({ env, engine: e }) => {
    const roster = rosterOf(makeSchool());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(expectStatus(await e.run(roster, { requestId: `r${i}` }), "ok").runId);

    const first = await fetchWorker("/api/sync/runs?limit=2", { headers: auth }, env);
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { success: boolean; runs: SyncRun[]; requestId: string };
    expect(page1.runs.map((r) => r.runId)).toEqual([ids[4], ids[3]]);
    const page2 = (await (await fetchWorker(`/api/sync/runs?limit=2&before=${ids[3]}`, { headers: auth }, env)).json()) as {
      runs: SyncRun[];
    };
    expect(page2.runs.map((r) => r.runId)).toEqual([ids[2], ids[1]]);

    const one = await fetchWorker(`/api/sync/runs/${ids[0]}`, { headers: auth }, env);
    const run = ((await one.json()) as { run: SyncRun }).run;
    expect(run).toMatchObject({
      runId: ids[0],
      trigger: "manual",
      status: "ok",
      requestId: "r0",
      operator: null,
      counts: { classes: { created: 4 } },
      warnings: [],
      errors: [],
      bakalariRequests: 1,
    });
    expect(run.statements).toBeGreaterThan(0);
    expect(Date.parse(run.completedAt!)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    // The list defaults to 20 runs.
    const all = (await (await fetchWorker("/api/sync/runs", { headers: auth }, env)).json()) as { runs: SyncRun[] };
    expect(all.runs).toHaveLength(5);
  });

  it("reports ok, then held, failing and stale, ignoring skipped and dry runs", async ({ db, health }) => {
    expect(await health()).toMatchObject({ status: 200, body: { status: "ok", lastRunStatus: "ok" } });

    const insert = (status: string, minutesAgo: number) =>
      db.db.execute(sql`insert into sync_runs (id, trigger, status, started_at, completed_at)
        values (${crypto.randomUUID()}, 'cron', ${status}, now() - make_interval(mins => ${minutesAgo}), now() - make_interval(mins => ${minutesAgo}))`);

    await insert("skipped", 0);
    await insert("dry_run", 0);
    expect((await health()).body.status).toBe("ok");

    await insert("held", 0);
    expect(await health()).toMatchObject({ status: 503, body: { status: "held", lastRunStatus: "held" } });
    await insert("fail", 0);
    expect(await health()).toMatchObject({ status: 503, body: { status: "failing", lastRunStatus: "fail" } });

    await db.db.execute(sql`delete from sync_runs`);
    await insert("ok", 46);
    const stale = await health();
    expect(stale).toMatchObject({ status: 503, body: { status: "stale", lastRunStatus: "ok" } });
    expect(stale.body.lastSuccessAt).not.toBeNull();
  });
});
