/**
 * POST /api/sync/bakalari and the cron handler through the Worker's own entry points,
 * against the fake Bakaláři school over real HTTP and a real Postgres.
 */
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, vi } from "vitest";
import { createToken } from "../../src/operators/tokens";
import { freshTest } from "../support/fixtures";
import { activeView, rowVersions } from "../support/inspect";
import { fetchWorker, OPERATOR_TOKEN_KEY_BYTES, runScheduled } from "../support/worker";
import { auth, fake, postSync, type Json } from "../reliability/harness";

const it = freshTest.extend("bindings", { BAKALARI_TOKEN_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(3))) });

describe("syncing through the API and cron", () => {
  beforeEach(async () => {
    await fake.reset({ size: "small", seed: 7 });
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await fake.clearFaults();
  });

  it("syncs the school: 200 with counts that match the database, then an unchanged re-sync", async ({ env, db }) => {
    const expected = await fake.expected();
    const first = await postSync(env);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      success: true,
      status: "ok",
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      requestId: first.headers.get("x-request-id"),
    });
    expect(first.body.counts.classes.created).toBe(expected.classes.length);
    expect(first.body.counts.users.created).toBe(expected.students.length + expected.teachers.length);
    expect(first.body.result).toEqual({
      classesCreated: expected.classes.length,
      classesUpdated: 0,
      usersCreated: expected.students.length + expected.teachers.length,
      usersUpdated: 0,
      subjectsCreated: expected.subjects.length,
      subjectsUpdated: 0,
      enrollmentsCreated: first.body.counts.enrollments.created,
      enrollmentsUpdated: 0,
    });
    const view = await activeView(db);
    expect(view.classes.size).toBe(expected.classes.length);
    expect(view.enrollments.size).toBe(first.body.counts.enrollments.created);

    const before = await rowVersions(db);
    const second = await postSync(env, {});
    expect(second.status).toBe(200);
    for (const c of Object.values(second.body.counts) as Json[])
      expect(c).toMatchObject({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
    expect(await rowVersions(db)).toBe(before);

    const run = (await (await fetchWorker(`/api/sync/runs/${first.body.runId}`, { headers: auth }, env)).json()) as Json;
    expect(run.run).toMatchObject({ status: "ok", trigger: "manual", operator: "OPERATOR_TOKEN", requestId: first.body.requestId });
    expect(run.run.bakalariRequests).toBeGreaterThan(2);

    // What the run could see: in the answer and the run record alike, counts and ids only.
    expect(first.body.coverage).toMatchObject({
      account: { type: "headmastership" },
      catalog: {
        classes: expected.classes.length,
        teachers: expected.teachers.length,
        subjects: expected.subjects.length,
        publicTimetable: "off",
      },
      rosters: { classes: expected.classes.length, classesRead: expected.classes.length, classesExempt: 0, exempt: [] },
    });
    expect(first.body.coverage.rosters.groupsRead).toBe(first.body.coverage.rosters.groups);
    expect(run.run.coverage).toEqual(first.body.coverage);
    const listed = (await (await fetchWorker("/api/sync/runs?limit=5", { headers: auth }, env)).json()) as Json;
    expect(listed.runs.find((r: Json) => r.runId === first.body.runId).coverage).toEqual(first.body.coverage);
  });

  it("records the name of the stored token that started a run, never the token", async ({ env, db }) => {
    const { token } = await createToken(db.db, "ci-nightly", OPERATOR_TOKEN_KEY_BYTES);
    const res = await postSync(env, undefined, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const row = (await db.db.execute(sql`select operator from sync_runs where id = ${res.body.runId}`)).rows[0];
    expect(row).toEqual({ operator: "ci-nightly" });
  });

  it("holds a broken feed with 422, writes nothing, and applies it with force", async ({ env, db }) => {
    expect((await postSync(env)).status).toBe(200);
    await fake.change({ op: "dropHalf" });
    const before = await rowVersions(db);
    const held = await postSync(env);
    expect(held.status).toBe(422);
    expect(held.body).toMatchObject({ success: false, code: "SAFETY_HOLD", status: "held", runId: expect.any(String) });
    expect(held.body.counts.users.deactivated).toBeGreaterThan(10);
    expect(await rowVersions(db)).toBe(before);

    const dry = await postSync(env, { dryRun: true, force: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ status: "dry_run", wouldHold: true });
    expect(await rowVersions(db)).toBe(before);

    const health = await fetchWorker("/health", undefined, env);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "held" });

    const forced = await postSync(env, { force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.counts.users.deactivated).toBe(held.body.counts.users.deactivated);
  });

  it.for([
    ["a wrong password", { BAKALARI_PASSWORD: "wrong" }, [], "BAKALARI_AUTH"],
    ["Bakaláři down", {}, [{ path: "^/api/", kind: "status", status: 503 }], "BAKALARI_UNAVAILABLE"],
    ["a timetable that is not JSON", {}, [{ path: "^/api/3/timetable", kind: "malformed" }], "BAKALARI_PAYLOAD"],
  ] as const)("answers 502 for %s, records the failure, and writes nothing", async ([_name, overrides, faults, code], { env, db }) => {
    await fake.setFaults(faults as never);
    const res = await postSync({ ...env, ...overrides });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      success: false,
      code,
      status: "fail",
      runId: expect.any(String),
      errors: [expect.objectContaining({ code })],
    });
    expect(JSON.stringify(res.body)).not.toContain("wrong");
    expect((await activeView(db)).classes.size).toBe(0);
    const row = (await db.db.execute(sql`select status from sync_runs where id = ${res.body.runId}`)).rows[0];
    expect(row).toEqual({ status: "fail" });
    const health = await fetchWorker("/health", undefined, env);
    expect(await health.json()).toMatchObject({ status: "failing" });
  });

  it("answers 502 BAKALARI_EMPTY_FEED when the rosters were read and hold no student, and deletes nothing", async ({ env, db }) => {
    expect((await postSync(env)).status).toBe(200);
    await fake.change({ op: "dropStudents", count: (await fake.expected()).students.length });
    const before = await rowVersions(db);
    const res = await postSync(env);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: "BAKALARI_EMPTY_FEED", status: "fail" });
    expect(await rowVersions(db)).toBe(before);
  });

  it("gives one 200 and four 409 to five concurrent POSTs", async ({ env, db }) => {
    // Slow absence lists keep the first run inside its lease while the others arrive.
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "latency", ms: 100 }]);
    const results = await Promise.all(Array.from({ length: 5 }, () => postSync(env)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    const ok = results.find((r) => r.status === 200)!;
    for (const r of results.filter((r) => r.status === 409))
      expect(r.body).toMatchObject({ code: "SYNC_RUNNING", runningRunId: ok.body.runId });
    const classes = (await db.db.execute(sql`select count(*)::int as n from classes`)).rows[0];
    expect(classes).toEqual({ n: ok.body.counts.classes.created });
  });

  it("runs the sync from cron, logs its events, and fails the invocation when the run fails", async ({ env, db }) => {
    const logs: Json[] = [];
    vi.spyOn(console, "log").mockImplementation((event: Json) => void logs.push(event));
    await runScheduled(env);
    const [run] = (await db.db.execute(sql`select trigger, status from sync_runs`)).rows;
    expect(run).toEqual({ trigger: "cron", status: "ok" });
    expect(logs.map((l) => l.message)).toEqual(["sync_start", "sync_ok"]);
    expect(logs[1]).toMatchObject({ level: "INFO", trigger: "cron", counts: expect.any(Object), durationMs: expect.any(Number) });

    await fake.setFaults([{ path: "^/api/", kind: "status", status: 503 }]);
    await expect(runScheduled(env)).rejects.toThrow(/BAKALARI_UNAVAILABLE/);
    expect(logs.at(-1)).toMatchObject({
      level: "ERROR",
      message: "sync_fail",
      trigger: "cron",
      errors: [expect.objectContaining({ code: "BAKALARI_UNAVAILABLE" })],
    });
    const students = (await fake.expected()).students;
    const text = JSON.stringify(logs);
    for (const s of students) expect(text).not.toContain(s.name);
  });

  it("records a skipped cron run while another run holds the lease, without failing the invocation", async ({ env, db }) => {
    const running = crypto.randomUUID();
    await db.db.execute(
      sql`insert into sync_runs (id, trigger, status, lease_expires_at) values (${running}, 'manual', 'running', now() + interval '5 minutes')`,
    );
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    await runScheduled(env);
    const rows = (await db.db.execute(sql`select status from sync_runs where id <> ${running}`)).rows;
    expect(rows).toEqual([{ status: "skipped" }]);
  });

  it("holds in cron too, and cron never forces: the invocation fails", async ({ env, db }) => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    await runScheduled(env);
    await fake.change({ op: "dropHalf" });
    await expect(runScheduled(env)).rejects.toThrow(/SAFETY_HOLD/);
    const statuses = (await db.db.execute(sql`select status from sync_runs order by started_at`)).rows.map((r) => (r as Json).status);
    expect(statuses).toEqual(["ok", "held"]);
  });
});
