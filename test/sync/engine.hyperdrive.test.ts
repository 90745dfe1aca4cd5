/**
 * The Hyperdrive path, as production takes it with a HYPERDRIVE binding: node-postgres over
 * (miniflare's) Hyperdrive, and no DATABASE_URL at all, so nothing can fall back to Neon's
 * driver. The engine's own tests (engine.test.ts, and atomicity.test.ts's constraint
 * rollback) run through both drivers (DRIVERS); here: the statements each run counts equal
 * to the Neon path's, and the Worker itself serving a POST, the runs list and /health.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/database";
import { connectThroughHyperdrive, engineThroughHyperdrive, hyperdriveFor } from "../support/hyperdrive";
import { makeSchool, rosterOf } from "../support/roster";
import { engine, expectStatus, type Engine } from "../support/sync";
import { fetchWorker, OPERATOR_TOKEN, testBindings } from "../support/worker";
import { fake } from "../reliability/harness";

describe("the engine through Hyperdrive (node-postgres)", () => {
  it("counts the same statements as the Neon path, run for run", async () => {
    const url = await createTestDatabase();
    const db = connectThroughHyperdrive(url);
    try {
      const school = makeSchool({ classes: 3, studentsPerClass: 8 });
      const runs = async (x: Engine) => [
        expectStatus(await x.run(rosterOf(school)), "ok").statements,
        expectStatus(await x.run(rosterOf(school)), "ok").statements,
      ];
      const viaHyperdrive = await runs(engineThroughHyperdrive(url));
      expect(viaHyperdrive[0]).toBeGreaterThan(viaHyperdrive[1]!);
      expect(viaHyperdrive).toEqual(await runs(engine(await createTestDatabase())));
      const [row] = (await db.db.execute<{ statements: number }>(sql`select statements from sync_runs order by started_at desc limit 1`))
        .rows;
      expect(row!.statements).toBe(viaHyperdrive[1]);
    } finally {
      await db.end();
    }
  });
});

describe("the Worker with a HYPERDRIVE binding and no DATABASE_URL", () => {
  it("syncs, lists its runs and answers /health through Hyperdrive", async () => {
    await fake.reset({ size: "small", seed: 3 });
    const url = await createTestDatabase();
    const env = testBindings({ DATABASE_URL: undefined, HYPERDRIVE: hyperdriveFor(url) });
    const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };
    const sync = await fetchWorker("/api/sync/bakalari", { method: "POST", headers: auth }, env);
    expect(sync.status).toBe(200);
    const run = (await sync.json()) as { runId: string; statements: number };
    expect(run.statements).toBeGreaterThan(0);
    const listed = (await (await fetchWorker("/api/sync/runs", { headers: auth }, env)).json()) as { runs: { runId: string }[] };
    expect(listed.runs.map((r) => r.runId)).toEqual([run.runId]);
    const health = await fetchWorker("/health", undefined, env);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", lastRunStatus: "ok" });
  });
});
