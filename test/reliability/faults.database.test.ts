/**
 * The database connection dropped by the proxy before, during and after the apply.
 * Each drop is armed on text that only this test's run sends (a request id, a token
 * cache key, a content hash, a warning), so files running beside it cannot trip it.
 * After each: the roster is unchanged or fully applied (never half), the refs are
 * whole, the run is recorded (fail, or ok when the COMMIT went through), and the next
 * run converges.
 */
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { accountKey } from "../../src/bakalari/token-cache";
import { parseConfig, type Bindings } from "../../src/config";
import { openDatabase, type Database } from "../../src/db/client";
import { contentHash } from "../../src/sync/hash";
import { runSync } from "../../src/sync/engine";
import { useTestDatabase } from "../support/database";
import { activeView, expectedView, refIntegrity, rowVersions } from "../support/inspect";
import { makeSchool, rosterOf, type School } from "../support/roster";
import { ROSTER_WARNING } from "../../src/codes";
import { engine, expectStatus } from "../support/sync";
import { testBindings } from "../support/worker";
import { expectConverged, expectRecordedFailure, expectRecovers, fake, postSync, runRow, TOKEN_KEY } from "./harness";

const proxy = (path: string, method = "POST") => fetch(`http://${inject("wsProxy")}/control/${path}`, { method });
const dropped = async () => ((await (await proxy("stats", "GET")).json()) as { dropped: number }).dropped;

/** Arms the proxy to drop the connection that sends `marker`; resolves to a check that it did. */
async function dropOn(marker: string): Promise<() => Promise<void>> {
  const before = await dropped();
  expect((await proxy(`drop-on?match=${encodeURIComponent(marker)}`)).status).toBe(200);
  return async () => expect(await dropped()).toBe(before + 1);
}

const refsClean = { dangling: 0, unreferenced: 0, duplicated: 0 };

describe("the database connection dropped, through the Worker", { timeout: 30_000 }, () => {
  const t = useTestDatabase("file");
  let db: Database;
  let env: Bindings;

  beforeAll(async () => {
    db = t.database;
    env = testBindings({ DATABASE_URL: t.url, BAKALARI_TOKEN_KEY: TOKEN_KEY });
    vi.spyOn(console, "log").mockImplementation(() => undefined); // the runs' events (logs.test.ts reads them)
  });
  beforeEach(async () => {
    await fake.reset({ size: "small", seed: 12 });
    expect((await postSync(env)).status).toBe(200);
    await expectConverged(db);
    // Something to write in the run under test.
    await fake.change({ op: "addStudents", count: 3 });
  });
  afterEach(async () => {
    await proxy("reset");
  });
  afterAll(async () => {
    vi.restoreAllMocks();
  });

  it("before: at the lease, the run never starts: 500 with the request id, no run row, the lease free", async () => {
    const requestId = `rel-lease-${crypto.randomUUID()}`;
    const before = await rowVersions(db);
    const confirm = await dropOn(requestId); // only the lease's INSERT carries the request id
    const answer = await postSync(env, undefined, { "x-request-id": requestId });
    await confirm();
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ success: false, code: "INTERNAL", message: expect.any(String), requestId });
    expect(await rowVersions(db)).toBe(before);
    const rows = (await db.db.execute(sql`select count(*)::int as n from sync_runs where request_id = ${requestId} or status = 'running'`))
      .rows;
    expect(rows).toEqual([{ n: 0 }]);
    await expectRecovers(env, db);
  });

  it("before the apply: while the source reads the token cache, the run goes on over a new connection", async () => {
    // A username of its own makes the cache row's key unique to this test.
    const username = `svc-${crypto.randomUUID()}`;
    await fake.reset({ size: "small", seed: 12, username });
    await fake.change({ op: "addStudents", count: 3 });
    const own = { ...env, BAKALARI_USERNAME: username };
    const confirm = await dropOn(await accountKey(env.BAKALARI_URL!, username));
    const answer = await postSync(own);
    await confirm();
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.warnings.map((w: { code: string }) => w.code)).toContain("BAKALARI_TOKEN_CACHE_FAILED");
    expect(answer.body.counts.users.created + answer.body.counts.users.reactivated).toBe(3);
    expect(await runRow(db, answer.body.runId)).toMatchObject({ status: "ok" });
    await expectConverged(db);
  });

  it("during: deep inside the transaction, everything is rolled back and the failure recorded on a fresh connection", async () => {
    // A subject renamed to a name of its own: its new content hash travels in the run's last
    // write before the record (the refs update), after the users, enrollments and refs inserts.
    const name = `Předmět ${crypto.randomUUID()}`;
    const renamed = await fake.change({ op: "renameSubject", name });
    const subject = (await fake.expected()).subjects.find((s) => s.id === renamed.subjectId)!;
    const before = await rowVersions(db);
    const confirm = await dropOn(contentHash([name, subject.abbrev]));
    const answer = await postSync(env);
    await confirm();
    expect(answer.status).toBe(500);
    const row = await expectRecordedFailure(env, db, answer, "SYNC_FAILED");
    expect(row.errors[0]!.message).toMatch(/nothing was applied/);
    expect(await rowVersions(db)).toBe(before);
    expect(await refIntegrity(db)).toEqual(refsClean);
    expect(JSON.stringify(answer.body)).not.toContain(name);
    const next = await expectRecovers(env, db);
    expect(next.body.counts.subjects.updated).toBe(1);
  });
});

describe("the database connection dropped at the end of the apply, through the engine", { timeout: 30_000 }, () => {
  const t = useTestDatabase("file");
  let url: string;
  let db: Database;

  beforeAll(() => {
    ({ url, database: db } = t);
  });
  afterEach(async () => {
    await proxy("reset");
  });

  /** The school and a grown copy, so the second run writes in every table. */
  function schools(): [School, School] {
    const school = makeSchool({ classes: 3, studentsPerClass: 6 });
    const extra = { id: `C-${crypto.randomUUID().slice(0, 8)}`, abbrev: "9.Z", name: "Nová třída" };
    return [
      school,
      {
        ...school,
        classes: [...school.classes, extra],
        students: [...school.students, ...[1, 2].map((i) => ({ id: `${extra.id}-U${i}`, name: `Nový Žák ${i}`, classId: extra.id }))],
        teaching: [...school.teaching, { classId: extra.id, subjectId: school.subjects[1]!.id, teacherId: school.teachers[0]!.id }],
      },
    ];
  }

  it("after: at the run's final record, inside the transaction: neither the writes nor the ok record", async () => {
    await db.db.execute(sql`truncate enrollments, users, classes, subjects, external_refs, sync_runs`);
    const e = engine(url);
    const [school, grown] = schools();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const before = await rowVersions(db);
    // The record's UPDATE is the only statement that carries the run's warnings.
    const marker = `warning ${crypto.randomUUID()}`;
    const next = { ...rosterOf(grown), warnings: [{ code: ROSTER_WARNING.groupNoLesson, message: marker }] };
    const confirm = await dropOn(marker);
    const failed = expectStatus(await e.run(next), "fail");
    await confirm();
    expect(failed.code).toBe("SYNC_FAILED");
    expect(await rowVersions(db)).toBe(before);
    expect(await refIntegrity(db)).toEqual(refsClean);
    expect(await runRow(db, failed.runId)).toMatchObject({ status: "fail", lease_expires_at: null, errors: [{ code: "SYNC_FAILED" }] });

    const ok = expectStatus(await e.run(next), "ok");
    expect(ok.counts.classes.created).toBe(1);
    expect(await activeView(db)).toEqual(expectedView(next));
    expect(await refIntegrity(db)).toEqual(refsClean);
  });

  it("after: the COMMIT reached Postgres but its answer was lost: the writes and the ok record are both there", async () => {
    await db.db.execute(sql`truncate enrollments, users, classes, subjects, external_refs, sync_runs`);
    const e = engine(url);
    const [school, grown] = schools();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const config = parseConfig(testBindings({ DATABASE_URL: url }));
    let handles = 0;
    // The run's own handle loses the connection right after its COMMIT succeeded; the fresh
    // handle the run opens to record a failure works.
    const open: typeof openDatabase = (options) => {
      const database = openDatabase(options);
      if ((handles += 1) === 1) {
        const transaction = database.db.transaction.bind(database.db);
        Object.assign(database.db, {
          transaction: async (...args: Parameters<typeof transaction>) => {
            await transaction(...args);
            throw new Error("Connection terminated unexpectedly");
          },
        });
      }
      return database;
    };
    const outcome = await runSync(
      { config, log: () => undefined, open, source: () => ({ read: async () => rosterOf(grown), requests: () => 1 }) },
      { trigger: "manual" },
    );
    expect(handles).toBe(2);
    // The outcome says what happened: applied, with the late confirmation as a warning.
    const ok = expectStatus(outcome, "ok");
    expect(ok.warnings.map((w) => w.code)).toContain("COMMIT_CONFIRMED_LATE");
    expect(ok.rowsWritten).toBeGreaterThan(0);
    const runId = ok.runId;
    // Atomic either way: here the COMMIT went through, so the writes and the ok record are both in.
    expect(await runRow(db, runId)).toMatchObject({ status: "ok", lease_expires_at: null });
    expect(await activeView(db)).toEqual(expectedView(rosterOf(grown)));
    expect(await refIntegrity(db)).toEqual(refsClean);
    // The next run finds nothing to do: nothing was applied twice.
    const before = await rowVersions(db);
    const next = expectStatus(await e.run(rosterOf(grown)), "ok");
    expect(Object.values(next.counts).every((c) => c.created + c.updated + c.deactivated + c.reactivated === 0)).toBe(true);
    expect(await rowVersions(db)).toBe(before);
  });
});
