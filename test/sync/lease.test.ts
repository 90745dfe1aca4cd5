import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import type { Roster } from "../../src/bakalari/roster";
import { LEASE_MS, RETENTION_DAYS } from "../../src/sync/run-records";
import { freshTest as it } from "../support/fixtures";
import { activeView, expectedView } from "../support/inspect";
import { makeSchool, rosterOf } from "../support/roster";
import { expectStatus } from "../support/sync";

/** A source that reads only when the test lets it, and says when it has been asked. */
function gatedRoster(roster: Roster) {
  let release!: () => void;
  let asked!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const reading = new Promise<void>((resolve) => (asked = resolve));
  return {
    read: async () => {
      asked();
      await gate;
      return roster;
    },
    reading,
    release: () => release(),
  };
}

describe("one run at a time", () => {
  it("refuses a manual run and records a skipped cron run while another holds the lease", async ({ db, engine: e }) => {
    const roster = rosterOf(makeSchool());
    const gated = gatedRoster(roster);
    const first = e.run(gated.read);
    await gated.reading; // the first run holds the lease now

    const manual = await e.run(roster);
    expect(manual.status).toBe("running");
    const cron = expectStatus(await e.run(roster, { trigger: "cron" }), "skipped");

    gated.release();
    const done = expectStatus(await first, "ok");
    expect(manual).toEqual({ status: "running", runningRunId: done.runId });
    expect(cron.runningRunId).toBe(done.runId);
    const rows = (await db.db.execute(sql`select id::text as id, trigger, status from sync_runs order by started_at`)).rows;
    expect(rows).toEqual([
      { id: done.runId, trigger: "manual", status: "ok" },
      { id: cron.runId, trigger: "cron", status: "skipped" },
    ]);
    expect(e.logs.filter((l) => l.message === "sync_skipped")).toEqual([
      expect.objectContaining({ level: "INFO", runId: cron.runId, trigger: "cron", runningRunId: done.runId }),
    ]);
  });

  it("lets exactly one of five concurrent runs apply", async ({ db, engine: e }) => {
    const roster = rosterOf(makeSchool());
    const gated = gatedRoster(roster);
    const runs = Array.from({ length: 5 }, () => e.run(gated.read));
    await gated.reading; // one run holds the lease
    // Release it only once the four others have been answered, so they truly raced it.
    let answered = 0;
    let fourAnswered!: () => void;
    const four = new Promise<void>((resolve) => (fourAnswered = resolve));
    for (const run of runs) void run.then(() => (answered += 1) === 4 && fourAnswered());
    await four;
    gated.release();
    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((o) => o.status === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "running")).toHaveLength(4);
    expect(await activeView(db)).toEqual(expectedView(roster));
    const counts = (
      await db.db.execute(sql`select (select count(*) from classes)::int as classes, (select count(*) from external_refs)::int as refs`)
    ).rows[0];
    expect(counts).toEqual({ classes: 4, refs: 4 + 5 + 46 + 220 });
  });

  it(`takes over a lease left by a crashed run once it expires (${LEASE_MS / 60000} minutes)`, async ({ db, engine: e }) => {
    const crashed = crypto.randomUUID();
    await db.db.execute(sql`insert into sync_runs (id, trigger, status, started_at, lease_expires_at)
      values (${crashed}, 'cron', 'running', now() - interval '3 minutes', now() + interval '7 minutes')`);
    const roster = rosterOf(makeSchool());
    expect((await e.run(roster)).status).toBe("running");

    await db.db.execute(sql`update sync_runs set lease_expires_at = now() - interval '1 second' where id = ${crashed}`);
    expectStatus(await e.run(roster), "ok");
    const old = (await db.db.execute(sql`select status, errors, completed_at from sync_runs where id = ${crashed}`)).rows[0] as {
      status: string;
      errors: { code: string }[];
      completed_at: unknown;
    };
    expect(old.status).toBe("fail");
    expect(old.errors[0]?.code).toBe("LEASE_EXPIRED");
    expect(old.completed_at).not.toBeNull();
  });

  it(`forgets runs older than ${RETENTION_DAYS} days when a run starts, and keeps newer ones`, async ({ db, engine: e }) => {
    const old = crypto.randomUUID();
    const recent = crypto.randomUUID();
    await db.db.execute(sql`insert into sync_runs (id, trigger, status, started_at) values
      (${old}, 'cron', 'ok', now() - make_interval(days => ${RETENTION_DAYS + 1})),
      (${recent}, 'cron', 'ok', now() - make_interval(days => ${RETENTION_DAYS - 1}))`);
    expectStatus(await e.run(rosterOf(makeSchool())), "ok");
    const ids = (await db.db.execute(sql`select id::text as id from sync_runs`)).rows.map((r) => (r as { id: string }).id);
    expect(ids).toContain(recent);
    expect(ids).not.toContain(old);
  });
});
