/**
 * The Worker's invocation cancelled mid-run: `wrangler dev` (with workerd) is killed with
 * SIGKILL while a run reads Bakaláři. Nothing is half-written; the run's lease holds, so
 * the next run is refused (409, and a cron tick is recorded as skipped); once the lease
 * expires (its 10 minutes simulated by moving lease_expires_at into the past) the next
 * run takes over, records the dead one as fail LEASE_EXPIRED, and converges.
 */
import { asRoster } from "../support/roster";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { fakeControl, type FakeControl } from "../../dev/fake-bakalari/control";
import { startFakeBakalari, type FakeBakalari } from "../../dev/fake-bakalari/server";
import type { Database } from "../../src/db/client";
import { activeView, expectedView, refIntegrity, rowVersions } from "../support/inspect";
import { startWorker, type DevWorker } from "../../dev/wrangler-dev";
import { nodeDatabase } from "./node-harness";
import { createNodeTestDatabase } from "../support/node-database";

const TOKEN = `cancel-${randomBytes(24).toString("hex")}`;

describe("an invocation killed mid-run", { timeout: 120_000 }, () => {
  let school: FakeBakalari;
  let fake: FakeControl;
  let db: Database;
  let vars: Record<string, string>;
  const workers: DevWorker[] = [];

  beforeAll(async () => {
    school = await startFakeBakalari({ port: 0, size: "small", seed: 21 });
    fake = fakeControl(school.url);
    const url = await createNodeTestDatabase("rel");
    db = nodeDatabase(url, inject("wsProxy"));
    vars = {
      DATABASE_URL: url,
      NEON_WS_PROXY: inject("wsProxy"),
      BAKALARI_URL: school.url,
      BAKALARI_USERNAME: "sync-service",
      BAKALARI_PASSWORD: "test-password",
      OPERATOR_TOKEN: TOKEN,
      // Compared with the fake's truth, teachers' names included: the account's own views only.
      BAKALARI_PUBLIC_TIMETABLE: "off",
    };
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await db?.end();
    await school?.close();
  }, 60_000);

  const start = async () => {
    const worker = await startWorker({ vars });
    workers.push(worker);
    return worker;
  };
  const post = (worker: DevWorker) =>
    fetch(`${worker.url}/api/sync/bakalari`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
  const rows = async <T>(query: ReturnType<typeof sql>) => (await db.db.execute(query)).rows as T[];
  const expectConverged = async () => {
    expect(await activeView(db)).toEqual(expectedView(asRoster(await fake.expected())));
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
  };

  it("holds the lease, refuses the next run until it expires, then recovers", async () => {
    const first = await start();
    expect((await post(first)).status).toBe(200);
    await expectConverged();

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
    await expectConverged();
  });
});
