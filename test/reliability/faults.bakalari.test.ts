/**
 * Bakaláři faults, through the Worker's own fetch against the fake school. After each
 * fault the database is checked: nothing lost (no row written when the feed could not
 * be trusted), nothing half-written (refs whole), the run recorded with a clear error,
 * and the next run converging on the school.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect } from "vitest";
import type { FaultRule } from "../../dev/fake-bakalari/control";
import { ROSTER_WARNING } from "../../src/codes";
import { bakalariSourceFor } from "../../src/bakalari/source";
import { createTokenCache } from "../../src/bakalari/token-cache";
import { parseConfig, type Bindings } from "../../src/config";
import { runSync } from "../../src/sync/engine";
import { refIntegrity, rowVersions } from "../support/inspect";
import { expectConverged, expectRecordedFailure, fake, postSync, runRow, workerTest, type Json } from "./harness";

const ALL = "^/api/";
const LOGIN = "^/api/login$";
const TIMETABLE = "^/api/3/timetable/";
const CLASSBOOK = "^/api/3/classbook";
const LESSONS = "^/api/3/lesson/";

const withFaults = workerTest
  /** Runs under the faults; the school did not change, so a trustworthy run has nothing to write either. */
  .extend("faultyRun", ({ db, env }) => async (rules: FaultRule[], overrides: Partial<Bindings> = {}) => {
    const before = await rowVersions(db);
    await fake.setFaults(rules);
    const answer = await postSync({ ...env, ...overrides });
    await fake.clearFaults();
    expect(await rowVersions(db)).toBe(before);
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
    return answer;
  })
  /**
   * The Worker's real engine and Bakaláři source, with the per-attempt timeout cut from
   * 20 s to 300 ms so that a test can wait it out (the only change from production).
   */
  .extend("engineRun", ({ env }) => async (rules: FaultRule[]) => {
    await fake.setFaults(rules);
    try {
      const config = parseConfig(env);
      return await runSync(
        {
          config,
          log: () => undefined,
          source: (sourceDb) => bakalariSourceFor(config, sourceDb, { http: { timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 20 } }),
        },
        { trigger: "manual" },
      );
    } finally {
      await fake.clearFaults();
    }
  });

const it = withFaults;

// Workers tests do not inherit the root timeout; retries with backoff take seconds.
describe("Bakaláři faults: nothing lost, the failure recorded, the next run recovers", { timeout: 30_000 }, () => {
  it.beforeEach(async ({ env, db }) => {
    // The fake is shared by every file: a known school, no faults, no tokens.
    await fake.reset({ size: "small", seed: 11 });
    const baseline = await postSync(env);
    expect(baseline.status, JSON.stringify(baseline.body)).toBe(200);
    await expectConverged(db);
  });
  afterAll(async () => {
    await fake.clearFaults();
  });

  describe("failures that stop the run before anything is written", () => {
    it.for([
      ["Bakaláři down (503 on every request)", "BAKALARI_UNAVAILABLE", [{ path: ALL, kind: "status", status: 503 }]],
      ["connections reset on every request", "BAKALARI_UNAVAILABLE", [{ path: ALL, kind: "reset" }]],
      ["a 429 storm that outlasts the retries", "BAKALARI_UNAVAILABLE", [{ path: ALL, kind: "rateLimit", retryAfter: 0 }]],
      ["a 500 on the class book", "BAKALARI_UNAVAILABLE", [{ path: CLASSBOOK, kind: "status", status: 500 }]],
      ["a timetable that is not JSON", "BAKALARI_PAYLOAD", [{ path: TIMETABLE, kind: "malformed" }]],
      ["a class book that is not JSON", "BAKALARI_PAYLOAD", [{ path: CLASSBOOK, kind: "malformed" }]],
      ["a timetable of the wrong shape", "BAKALARI_PAYLOAD", [{ path: TIMETABLE, kind: "wrongShape" }]],
      ["a class book of the wrong shape", "BAKALARI_PAYLOAD", [{ path: CLASSBOOK, kind: "wrongShape" }]],
    ] as [string, string, FaultRule[]][])("%s: 502 %s, nothing written", async ([_name, code, rules], { env, db, faultyRun, recovers }) => {
      const answer = await faultyRun(rules);
      expect(answer.status).toBe(502);
      await expectRecordedFailure(env, db, answer, code);
      await recovers();
    });

    it.for([
      ["5xx", { kind: "status", status: 503 }],
      ["429", { kind: "rateLimit", retryAfter: 0 }],
    ] as const)(
      "every roster answering %s: BAKALARI_UNAVAILABLE after a bounded number of requests",
      async ([_name, fault], { env, db, faultyRun, recovers }) => {
        const lessonRequests = async () => (await fake.stats()).requests.byEndpoint["GET /api/3/lesson/:lessonId/absence"] ?? 0;
        const lessonsBefore = await lessonRequests();
        const answer = await faultyRun([{ path: LESSONS, ...fault }]);
        expect(answer.status).toBe(502);
        const row = await expectRecordedFailure(env, db, answer, "BAKALARI_UNAVAILABLE");
        expect(row.errors[0]!.message).toMatch(/absence/);
        // The breaker stops after 6 lists failed in a row: at most the 6 in flight and 6 more, 4 attempts each.
        expect((await lessonRequests()) - lessonsBefore).toBeLessThanOrEqual(12 * 4);
        // The run records every request it made: the absence lists and the handful before them.
        const requests = (
          (await db.db.execute(sql`select bakalari_requests as n from sync_runs where id = ${answer.body.runId}`)).rows[0] as { n: number }
        ).n;
        expect(requests).toBeGreaterThan((await lessonRequests()) - lessonsBefore);
        await recovers();
      },
    );
  });

  describe("faults the run survives", () => {
    beforeEach(async () => {
      // Something to write, so that surviving means applying it whole.
      await fake.change({ op: "addStudents", count: 3 });
      await fake.change({ op: "renameSubject", name: "Přírodověda (nová)" });
    });
    /** The same seed adds the same students: created the first time, reactivated after a reset deactivated them. */
    const expectTheChange = (body: Json) => {
      expect(body.counts.users.created + body.counts.users.reactivated).toBe(3);
      expect(body.counts.subjects.updated).toBe(1);
    };

    it.for([
      ["three 503s in the middle of reading rosters", [{ path: LESSONS, kind: "status", status: 503, times: 3 }]],
      [
        "a 429 storm within the retries (three on every endpoint)",
        [
          { path: LOGIN, kind: "rateLimit", retryAfter: 0, times: 3 },
          { path: TIMETABLE, kind: "rateLimit", retryAfter: 0, times: 3 },
          { path: CLASSBOOK, kind: "rateLimit", retryAfter: 0, times: 3 },
          { path: LESSONS, kind: "rateLimit", retryAfter: 0, times: 3 },
        ],
      ],
      ["three connection resets while reading rosters", [{ path: LESSONS, kind: "reset", times: 3 }]],
    ] as [string, FaultRule[]][])("%s: applies the change whole", async ([_name, rules], { env, db }) => {
      await fake.auth({ expireAccessTokens: true }); // so that the login endpoint is asked too
      await fake.setFaults(rules);
      const answer = await postSync(env);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const faults = await fake.faults();
      for (const rule of faults.rules) expect(rule.remaining).toBe(0); // every injected fault was met
      await fake.clearFaults();
      expectTheChange(answer.body);
      await expectConverged(db);
    });

    it("an expired access token: refreshes it (no password login) and applies the change whole", async ({ env, db }) => {
      await fake.auth({ expireAccessTokens: true });
      const logins = (await fake.stats()).logins;
      const answer = await postSync(env);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const after = (await fake.stats()).logins;
      expect({ refresh: after.refresh - logins.refresh, password: after.password - logins.password }).toEqual({ refresh: 1, password: 0 });
      expectTheChange(answer.body);
      await expectConverged(db);
    });

    it("an expired access token and a refresh token already redeemed: falls back to the password", async ({ env, db }) => {
      // Redeem the cached refresh token behind the sync's back, then expire the access token.
      const cache = createTokenCache({
        db: db.db,
        key: parseConfig(env).tokenKey!,
        baseUrl: env.BAKALARI_URL!,
        username: env.BAKALARI_USERNAME!,
      });
      const pair = await cache.load(() => undefined);
      expect(pair).not.toBeNull();
      const redeem = await fetch(`${env.BAKALARI_URL}/api/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: "ANDR", grant_type: "refresh_token", refresh_token: pair!.refreshToken }).toString(),
      });
      expect(redeem.status).toBe(200);
      await fake.auth({ expireAccessTokens: true });
      const logins = (await fake.stats()).logins;

      const answer = await postSync(env);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const after = (await fake.stats()).logins;
      // One refused refresh (the redeemed token), then one password login.
      expect(after.failed - logins.failed).toBe(1);
      expect(after.password - logins.password).toBe(1);
      await expectConverged(db);
    });

    it("slow past the timeout once: the attempt is abandoned and retried, and the run applies", async ({ db, engineRun }) => {
      const run = await engineRun([{ path: TIMETABLE, kind: "latency", ms: 2_000, times: 1 }]);
      expect(run.status).toBe("ok");
      await expectConverged(db);
    });
  });

  describe("faults that leave some rosters unread", () => {
    /** A run under the faults that ends ok and deactivates nothing; its answer's body. */
    const it = withFaults.extend("partialRun", ({ faultyRun }) => async (rules: FaultRule[]) => {
      const answer = await faultyRun(rules);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      for (const c of Object.values(answer.body.counts) as Json[]) expect(c.deactivated).toBe(0);
      return answer.body;
    });
    // Each ends with the next run recovering.
    it.afterEach(async ({ recovers }) => {
      await recovers();
    });

    it("5xx on some rosters for good: the run ends ok, their classes are exempt, nothing is deactivated", async ({ partialRun }) => {
      // Lessons whose first group's serial ends in 7: a fixed handful of the school's groups.
      const body = await partialRun([{ path: "^/api/3/lesson/\\d{14}7/absence$", kind: "status", status: 503 }]);
      const codes = (body.warnings as Json[]).map((w) => w.code);
      expect(codes).toContain(ROSTER_WARNING.groupRosterFailed);
      expect(codes).toContain("CLASSES_EXEMPT");
    });

    it("one absence list that is not JSON: its groups fail, the run goes on, nothing is deactivated", async ({ partialRun }) => {
      const body = await partialRun([{ path: LESSONS, kind: "malformed", times: 1 }]);
      expect((body.warnings as Json[]).map((w) => w.code)).toContain(ROSTER_WARNING.groupRosterFailed);
    });

    it("a truncated class book (its lists cut in half): groups without a lesson are exempt, nothing is deactivated", async ({
      partialRun,
    }) => {
      const body = await partialRun([{ path: CLASSBOOK, kind: "truncated" }]);
      expect((body.warnings as Json[]).map((w) => w.code)).toContain(ROSTER_WARNING.groupNoLesson);
    });

    it("a truncated timetable (half the classes gone): the class book shows classes it lacks, so nothing of the school is taken as gone", async ({
      partialRun,
    }) => {
      const body = await partialRun([{ path: TIMETABLE, kind: "truncated" }]);
      expect(body.coverage.catalog.classes).toBeLessThan((await fake.expected()).classes.length);
      expect(body.coverage.catalog.classes).toBeGreaterThan(0);
      expect(body.warnings).toContainEqual(
        expect.objectContaining({ code: ROSTER_WARNING.accountScope, message: expect.stringMatching(/does not list/) }),
      );
    });
  });

  describe("feeds that look broken are held", () => {
    it.for([["truncated absence lists (half of every roster gone)", [{ path: LESSONS, kind: "truncated" }]]] as [string, FaultRule[]][])(
      "%s: 422 SAFETY_HOLD, nothing written",
      async ([_name, rules], { db, faultyRun, recovers }) => {
        const answer = await faultyRun(rules);
        expect(answer.status, JSON.stringify(answer.body)).toBe(422);
        expect(answer.body).toMatchObject({ code: "SAFETY_HOLD", status: "held" });
        expect(await runRow(db, answer.body.runId)).toMatchObject({ status: "held", lease_expires_at: null });
        await recovers();
      },
    );
  });

  describe("credentials", () => {
    it("a wrong password: 502 BAKALARI_AUTH after exactly one login attempt, nothing written", async ({ env, db, faultyRun, recovers }) => {
      // Without a token key every run logs in with the password: the wrong one is tried.
      const noCache = { BAKALARI_TOKEN_KEY: undefined, BAKALARI_PASSWORD: "not-the-password" };
      const before = (await fake.stats()).logins;
      const answer = await faultyRun([], noCache);
      expect(answer.status).toBe(502);
      await expectRecordedFailure({ ...env, ...noCache }, db, answer, "BAKALARI_AUTH");
      const after = (await fake.stats()).logins;
      expect(after.failed - before.failed).toBe(1);
      expect(JSON.stringify(answer.body)).not.toContain("not-the-password");
      await recovers();
    });

    it.for([
      ["not JSON", "malformed"],
      ["of the wrong shape", "wrongShape"],
    ] as const)("a login answer %s: 502 BAKALARI_PAYLOAD, nothing written", async ([_name, kind], { env, db, faultyRun, recovers }) => {
      await fake.auth({ expireAccessTokens: true }); // so that the run must log in again
      const answer = await faultyRun([{ path: LOGIN, kind }]);
      expect(answer.status).toBe(502);
      await expectRecordedFailure(env, db, answer, "BAKALARI_PAYLOAD");
      await recovers();
    });
  });

  describe("slow past the timeout", () => {
    it("every timetable answer slower than the timeout: BAKALARI_UNAVAILABLE, nothing written, recorded", async ({
      db,
      engineRun,
      recovers,
    }) => {
      const before = await rowVersions(db);
      const run = await engineRun([{ path: TIMETABLE, kind: "latency", ms: 2_000 }]);
      expect(run.status).toBe("fail");
      expect(run).toMatchObject({ code: "BAKALARI_UNAVAILABLE", errors: [{ message: expect.stringMatching(/timed out/) }] });
      expect(await rowVersions(db)).toBe(before);
      expect(await runRow(db, (run as { runId: string }).runId)).toMatchObject({
        status: "fail",
        errors: [{ code: "BAKALARI_UNAVAILABLE" }],
      });
      await recovers();
    });
  });
});
