/**
 * The two drivers side by side, whichever project runs this file (the workers project only:
 * vitest.config.ts). The whole workers suite runs through each driver in a project of its own
 * (`workers`, `workers-hyperdrive`); here: the statements each run counts are the same through
 * both, and the Worker with a HYPERDRIVE binding and no DATABASE_URL at all (so nothing can
 * fall back to Neon's driver) serves a POST, the runs list and /health.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connect, createTestDatabase } from "../support/database";
import { hyperdriveFor } from "../support/hyperdrive";
import { makeSchool, rosterOf } from "../support/roster";
import { engine, expectStatus, type Engine } from "../support/sync";
import { fetchWorker, testBindings } from "../support/worker";
import { auth, fake } from "../reliability/harness";

describe("the engine through Hyperdrive (node-postgres)", () => {
  it("counts the same statements as the Neon path, run for run", async () => {
    const url = await createTestDatabase();
    const db = connect(url, "hyperdrive");
    try {
      const school = makeSchool({ classes: 3, studentsPerClass: 8 });
      const runs = async (x: Engine) => [
        expectStatus(await x.run(rosterOf(school)), "ok").statements,
        expectStatus(await x.run(rosterOf(school)), "ok").statements,
      ];
      const viaHyperdrive = await runs(engine(url, {}, "hyperdrive"));
      expect(viaHyperdrive[0]).toBeGreaterThan(viaHyperdrive[1]!);
      expect(viaHyperdrive).toEqual(await runs(engine(await createTestDatabase(), {}, "neon")));
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
