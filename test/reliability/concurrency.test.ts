/**
 * Concurrency through the Worker's own entry points: N POSTs and a cron tick at once.
 * Exactly one run applies; the others answer 409 or are recorded as skipped; no row
 * is duplicated.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { refIntegrity } from "../support/inspect";
import { runScheduled } from "../support/worker";
import { expectConverged, fake, postSync, TOKEN_KEY, workerTest, type Answer } from "./harness";

// Whichever run wins must converge in one go, a cron tick too: every roster every tick.
const it = workerTest.extend("bindings", { scope: "file" }, { BAKALARI_TOKEN_KEY: TOKEN_KEY, SYNC_ROSTER_ROTATION: "1" }).extend(
  "count",
  ({ db }) =>
    async (query: ReturnType<typeof sql>) =>
      Number(((await db.db.execute(query)).rows[0] as { n: number }).n),
);

const POSTS = 12;
const ROUNDS = 3;

// Workers tests do not inherit the root timeout; three rounds of slow runs take seconds.
describe(`${POSTS} concurrent POSTs and a cron tick, ${ROUNDS} rounds`, { timeout: 60_000 }, () => {
  beforeEach(async () => {
    await fake.reset({ size: "small", seed: 13 });
  });
  afterAll(async () => {
    await fake.clearFaults();
  });

  it("lets exactly one run apply each round; the rest get 409 or a skipped record; no duplicate rows", async ({ env, db, count }) => {
    const changes = [
      async () => undefined, // round 1 creates the whole school
      async () => void (await fake.change({ op: "addStudents", count: 4 })),
      async () => void (await fake.change({ op: "churn", fraction: 0.05 })),
    ];
    for (let round = 0; round < ROUNDS; round++) {
      await changes[round]!();
      // A slow class book keeps the winner inside its lease while the others arrive.
      await fake.setFaults([{ path: "^/api/3/classbook", kind: "latency", ms: 1_500 }]);
      const since = ((await db.db.execute(sql`select now()::text as t`)).rows[0] as { t: string }).t;

      const posts = Array.from({ length: POSTS }, () => postSync(env));
      const cron = runScheduled(env).then(
        () => "done" as const,
        (error: Error) => error.message,
      );
      const answers: Answer[] = await Promise.all(posts);
      const cronResult = await cron;
      await fake.clearFaults();

      const statuses = answers.map((a) => a.status);
      const winners = answers.filter((a) => a.status === 200);
      const added = (
        await db.db.execute(sql`
        select id::text as id, trigger, status from sync_runs where started_at >= ${since}::timestamptz`)
      ).rows as { id: string; trigger: string; status: string }[];
      const applied = added.filter((r) => r.status === "ok");

      // Exactly one run applied: a POST (and the cron tick was skipped) or the cron tick (and every POST got 409).
      expect(applied, JSON.stringify({ round, statuses, added })).toHaveLength(1);
      expect(cronResult).toBe("done"); // a skipped tick does not fail the invocation, and neither does the winner
      if (applied[0]!.trigger === "manual") {
        expect(winners).toHaveLength(1);
        expect(winners[0]!.body.runId).toBe(applied[0]!.id);
        expect(added.filter((r) => r.status === "skipped")).toEqual([expect.objectContaining({ trigger: "cron" })]);
      } else {
        expect(winners).toHaveLength(0);
      }
      expect(added).toHaveLength(applied[0]!.trigger === "cron" ? 1 : 2);
      for (const loser of answers.filter((a) => a.status !== 200)) {
        expect(loser.status).toBe(409);
        expect(loser.body).toMatchObject({ success: false, code: "SYNC_RUNNING", runningRunId: applied[0]!.id });
      }
      expect(await count(sql`select count(*)::int as n from sync_runs where status = 'running'`)).toBe(0);

      // No duplicates: every row has exactly one ref, every ref one row, one ref per Bakaláři id.
      expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
      await expectConverged(db);
    }
  });
});
