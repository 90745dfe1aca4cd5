import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { Database } from "../../src/db/client";
import { rowVersions } from "../support/inspect";
import { startWorker, type DevWorker } from "../../dev/wrangler-dev";
import { expectConverged, nodeDatabase } from "./node-harness";
import { workerVars } from "../support/worker-vars";
import { useFakeSchool } from "../fake-bakalari/support";
import { createNodeTestDatabase } from "../support/node-database";

const TOKEN = `cancel-${randomBytes(24).toString("hex")}`;

describe("an invocation killed mid-run", { timeout: 120_000 }, () => {
  const { fake: school, control: fake } = useFakeSchool({ size: "small", seed: 21 }, { resetEach: false });
  let db: Database;
  let vars: Record<string, string>;
  const workers: DevWorker[] = [];

  beforeAll(async () => {
    const url = await createNodeTestDatabase("rel");
    db = nodeDatabase(url, inject("wsProxy"));
    vars = workerVars({ databaseUrl: url, wsProxy: inject("wsProxy"), bakalariUrl: school.url }, { OPERATOR_TOKEN: TOKEN });
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await db?.end();
  }, 60_000);

  const start = async () => {
    const worker = await startWorker({ vars });
    workers.push(worker);
    return worker;
  };
  const post = (worker: DevWorker) =>
    fetch(`${worker.url}/api/sync/bakalari`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
  const rows = async <T>(query: ReturnType<typeof sql>) => (await db.db.execute(query)).rows as T[];

  it("holds the lease, refuses the next run until it expires, then recovers", async () => {
    const first = await start();
    expect((await post(first)).status).toBe(200);
    await expectConverged(db, fake);

    // The killed run has something to write, and stalls on the rosters with its lease held.
    await fake.change({ op: "addStudents", count: 3 });
    const before = await rowVersions(db);
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "latency", ms: 120_000 }]);
    const answer = post(first).then(
      (res) => res.status,
      () => "no answer" as const,
    );
    // The sign that the run is inside its lease and reading rosters: its running row, and the stalled requests.
    const running = await vi.waitFor(
      async () => {
        const [row] = await rows<{ id: string }>(sql`select id::text as id from sync_runs where status = 'running'`);
        expect(row).toBeDefined();
        expect((await fake.faults()).rules[0]!.hits).toBeGreaterThan(0);
        return row!.id;
      },
      { timeout: 30_000, interval: 50 },
    );

    await first.kill();
    expect(await answer).toBe("no answer");
    // workerd died with wrangler: nothing of the run is left to finish it later.
    await vi.waitFor(() => expect(first.alive()).toBe(false), { timeout: 10_000, interval: 50 });
    await fake.clearFaults();
    // Nothing half-written: the roster as it was, the run still running with its lease in the future.
    expect(await rowVersions(db)).toBe(before);
    const [dead] = await rows<{ status: string; lease_open: boolean }>(sql`
      select status, lease_expires_at > now() as lease_open from sync_runs where id = ${running}`);
    expect(dead).toEqual({ status: "running", lease_open: true });

    // A new process: the lease still holds.
    const second = await start();
    const refused = await post(second);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "SYNC_RUNNING", runningRunId: running });
    expect((await fetch(`${second.url}/__scheduled?cron=*/15+*+*+*+*`)).status).toBe(200);
    const [skipped] = await rows<{ status: string; trigger: string }>(sql`
      select status, trigger from sync_runs where id <> ${running} order by started_at desc limit 1`);
    expect(skipped).toEqual({ status: "skipped", trigger: "cron" });
    expect(await rowVersions(db)).toBe(before);

    // Ten minutes later (simulated): the next run takes over.
    await db.db.execute(sql`update sync_runs set lease_expires_at = now() - interval '1 second' where id = ${running}`);
    const next = await post(second);
    expect(next.status).toBe(200);
    const body = (await next.json()) as { status: string; counts: { users: { created: number } } };
    expect(body.status).toBe("ok");
    expect(body.counts.users.created).toBe(3);
    const [expired] = await rows<{ status: string; errors: { code: string }[]; completed: boolean }>(sql`
      select status, errors, completed_at is not null as completed from sync_runs where id = ${running}`);
    expect(expired).toEqual({ status: "fail", errors: [expect.objectContaining({ code: "LEASE_EXPIRED" })], completed: true });
    await expectConverged(db, fake);
  });
});
