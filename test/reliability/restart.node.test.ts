import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { migrateDatabase } from "../../cli/migrate";
import { startPostgresCluster, type PostgresCluster } from "../../dev/postgres";
import { startWsProxy, type WsProxy } from "../../dev/ws-proxy";
import type { Database } from "../../src/db/client";
import { refIntegrity, rowVersions } from "../support/inspect";
import { startWorker, type DevWorker } from "../../dev/wrangler-dev";
import { expectConverged, nodeDatabase, writeFigures } from "./node-harness";
import { workerVars } from "../support/worker-vars";
import { useFakeSchool } from "../fake-bakalari/support";

const TOKEN = `restart-${randomBytes(24).toString("hex")}`;
/** What happened, for the README's figures. */
const outcomes: Record<string, string> = {};
type Json = Record<string, any>;

describe("Postgres restarted, and the COMMIT lost", { timeout: 120_000 }, () => {
  let cluster: PostgresCluster;
  let proxy: WsProxy;
  const { fake: school, control: fake } = useFakeSchool({ size: "small", seed: 22 }, { resetEach: false });
  let worker: DevWorker;
  let db: Database;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    proxy = await startWsProxy();
    await migrateDatabase(cluster.url, proxy.url);
    const at = { databaseUrl: cluster.url, wsProxy: proxy.url, bakalariUrl: school.url };
    worker = await startWorker({ vars: workerVars(at, { OPERATOR_TOKEN: TOKEN }) });
  }, 120_000);
  beforeEach(async () => {
    // A fresh handle each time: a restart breaks the old one's connections.
    await db?.end();
    db = nodeDatabase(cluster.url, proxy.url);
  });
  afterAll(async () => {
    writeFigures("restart", outcomes);
    await db?.end();
    await worker?.stop();
    await proxy?.close();
    await cluster?.stop();
  }, 60_000);

  const post = async () => {
    const res = await fetch(`${worker.url}/api/sync/bakalari`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const health = async () => ((await (await fetch(`${worker.url}/health`)).json()) as Json).status;
  const runRow = async (id: string) =>
    ((await db.db.execute(sql`select status, errors, lease_expires_at from sync_runs where id = ${id}`)).rows as Json[])[0];

  it("restarted between runs: the data is kept, and the next run works on new connections", async () => {
    const first = await post();
    expect(first.status).toBe(200);
    await expectConverged(db, fake);
    const before = await rowVersions(db);
    await db.end();

    await cluster.restart();
    db = nodeDatabase(cluster.url, proxy.url);
    expect(await rowVersions(db)).toBe(before);
    expect(await health()).toBe("ok"); // the Worker's next invocation opens its own connections

    await fake.change({ op: "addStudents", count: 3 });
    const next = await post();
    expect(next.status).toBe(200);
    expect(next.body.counts.users.created).toBe(3);
    await expectConverged(db, fake);
  });

  it("restarted while a run reads Bakaláři: the run ends ok or fails cleanly, never half-written, and the next converges", async () => {
    await fake.change({ op: "addStudents", count: 2 });
    const before = await rowVersions(db);
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "latency", ms: 1_500, times: 6 }]);
    const answer = post();
    // Restart once the run holds its lease and waits on the rosters.
    await vi.waitFor(async () => expect((await fake.faults()).rules[0]!.hits).toBeGreaterThan(0), { timeout: 20_000, interval: 25 });
    await db.end();
    await cluster.restart();
    db = nodeDatabase(cluster.url, proxy.url);
    const { status, body } = await answer;
    await fake.clearFaults();

    expect([200, 500]).toContain(status);
    const row = await runRow(body.runId);
    outcomes.midRunRestart = status === 200 ? "ok: applied whole on a new connection" : "fail: recorded, nothing written";
    if (status === 200) {
      // The pool noticed its connection was gone and opened a new one: the run applied whole.
      expect(row).toMatchObject({ status: "ok", lease_expires_at: null });
      await expectConverged(db, fake);
    } else {
      expect(row).toMatchObject({ status: "fail", lease_expires_at: null, errors: [{ code: "SYNC_FAILED" }] });
      expect(await rowVersions(db)).toBe(before);
      expect((await post()).status).toBe(200);
      await expectConverged(db, fake);
    }
  });

  it("the COMMIT dropped on its way: neither the writes nor the ok record; the failure recorded; the next run converges", async () => {
    await fake.change({ op: "addStudents", count: 2 });
    await fake.change({ op: "renameSubject", name: "Dějepis a občanská výchova" });
    const before = await rowVersions(db);
    // This cluster and proxy serve this file only, so the first COMMIT they see is the run's.
    const armed = await fetch(`http://${proxy.url}/control/drop-on?match=commit`, { method: "POST" });
    expect(armed.status).toBe(200);
    const failed = await post();
    expect(((await (await fetch(`http://${proxy.url}/control/stats`)).json()) as Json).dropped).toBeGreaterThan(0);
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ code: "SYNC_FAILED", status: "fail" });
    expect(await rowVersions(db)).toBe(before);
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
    expect(await runRow(failed.body.runId)).toMatchObject({ status: "fail", lease_expires_at: null });
    expect(await health()).toBe("failing");

    const next = await post();
    expect(next.status).toBe(200);
    expect(next.body.counts.users.created).toBe(2);
    expect(next.body.counts.subjects.updated).toBe(1);
    await expectConverged(db, fake);
  });
});
