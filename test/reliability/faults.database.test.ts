/**
 * The database connection dropped by the proxy before, during and after the apply.
 * Each drop is armed on text that only this test's run sends (a request id, a token
 * cache key, a content hash, a warning), so files running beside it cannot trip it.
 * After each: the roster is unchanged or fully applied (never half), the refs are
 * whole, the run is recorded (fail, or ok when the COMMIT went through), and the next
 * run converges.
 */
import { sql } from "drizzle-orm";
import { afterEach, describe, expect } from "vitest";
import { accountKey } from "../../src/bakalari/token-cache";
import { ROSTER_WARNING } from "../../src/codes";
import { parseConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { contentHash } from "../../src/sync/hash";
import { runSync } from "../../src/sync/engine";
import { activeView, expectedView, refIntegrity, rowVersions } from "../support/inspect";
import { makeSchool, rosterOf, type School } from "../support/roster";
import { expectStatus } from "../support/sync";
import { dropOn, expectConverged, expectRecordedFailure, fake, postSync, resetWsProxy, runRow, workerTest as it } from "./harness";

const refsClean = { dangling: 0, unreferenced: 0, duplicated: 0 };

afterEach(async () => {
  await resetWsProxy();
});

describe("the database connection dropped, through the Worker", { timeout: 30_000 }, () => {
  it.beforeEach(async ({ env, db }) => {
    await fake.reset({ size: "small", seed: 12 });
    expect((await postSync(env)).status).toBe(200);
    await expectConverged(db);
    // Something to write in the run under test.
    await fake.change({ op: "addStudents", count: 3 });
  });

  it("before: at the lease, the run never starts: 500 with the request id, no run row, the lease free", async ({ env, db, recovers }) => {
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
    await recovers();
  });

  it("before the apply: while the source reads the token cache, the run goes on over a new connection", async ({ env, db }) => {
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

  it("during: deep inside the transaction, everything is rolled back and the failure recorded on a fresh connection", async ({
    env,
    db,
    recovers,
  }) => {
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
    const next = await recovers();
    expect(next.body.counts.subjects.updated).toBe(1);
  });
});

/**
 * `grown`: a school synced through the engine into emptied tables, and a grown copy of it to
 * sync next, so that the run under test writes in every table.
 */
const engineTest = it.extend("grown", async ({ db, engine }): Promise<School> => {
  await db.db.execute(sql`truncate enrollments, users, classes, subjects, external_refs, sync_runs`);
  const school = makeSchool({ classes: 3, studentsPerClass: 6 });
  expectStatus(await engine.run(rosterOf(school)), "ok");
  const extra = { id: `C-${crypto.randomUUID().slice(0, 8)}`, abbrev: "9.Z", name: "Nová třída" };
  return {
    ...school,
    classes: [...school.classes, extra],
    students: [...school.students, ...[1, 2].map((i) => ({ id: `${extra.id}-U${i}`, name: `Nový Žák ${i}`, classId: extra.id }))],
    teaching: [...school.teaching, { classId: extra.id, subjectId: school.subjects[1]!.id, teacherId: school.teachers[0]!.id }],
  };
});

describe("the database connection dropped in and at the end of the apply, through the engine", { timeout: 30_000 }, () => {
  const it = engineTest;

  it("during: mid-apply, everything is rolled back and the failure recorded on a fresh connection, never quoting the data", async ({
    db,
    grown,
    engine: e,
  }) => {
    const before = await rowVersions(db);
    // A pupil's name unique to this test: the connection drops when the run sends it (inside the transaction).
    const marker = `Dropped ${crypto.randomUUID()}`;
    const next = rosterOf({
      ...grown,
      students: grown.students.map((s, i) => (i === grown.students.length - 1 ? { ...s, name: marker } : s)),
    });
    const confirm = await dropOn(marker);
    const failed = expectStatus(await e.run(next), "fail");
    await confirm();
    expect(failed.code).toBe("SYNC_FAILED");
    expect(await rowVersions(db)).toBe(before);
    expect(await runRow(db, failed.runId)).toMatchObject({ status: "fail" });
    // The failure message never quotes the data (the marker stands for a pupil's name).
    expect(JSON.stringify(failed)).not.toContain(marker);
    expect(JSON.stringify(e.logs)).not.toContain(marker);

    expectStatus(await e.run(next), "ok");
    expect(await activeView(db)).toEqual(expectedView(next));
    expect(await refIntegrity(db)).toEqual(refsClean);
  });

  it("after: at the run's final record, inside the transaction: neither the writes nor the ok record", async ({ db, grown, engine: e }) => {
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

  it("after: the COMMIT reached Postgres but its answer was lost: the writes and the ok record are both there", async ({
    env,
    db,
    grown,
    engine: e,
  }) => {
    const config = parseConfig(env);
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
