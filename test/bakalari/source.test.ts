/**
 * The Bakaláři source against the fake school over real HTTP, inside workerd. The
 * fake is one server shared by every test file, so each test resets it first.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import { bakalariSourceFor, ROSTER_FAILURES_IN_A_ROW, type BakalariSourceOptions } from "../../src/bakalari/source";
import type { Database } from "../../src/db/client";
import { fakeControl } from "../../dev/fake-bakalari/control";
import { connect, createTestDatabase } from "../support/database";
import { bakalariError } from "../support/errors";

const FAKE = inject("fakeBakalariUrl");
const KEY = new Uint8Array(32).fill(7);
/** A Wednesday in term time: the class book window then holds two school weeks. */
const SCHOOL_DAY = Date.parse("2026-11-25T09:00:00Z");
const HOUR = 3_600_000;

const fake = fakeControl(FAKE);

let database: Database;

beforeAll(async () => {
  database = connect(await createTestDatabase());
});
afterAll(async () => {
  await database.end();
});
beforeEach(async () => {
  await fake.reset({ size: "small", seed: 1 });
  await database.db.execute(sql`delete from bakalari_sessions`);
});

type SourceConfig = Parameters<typeof bakalariSourceFor>[0];
type Overrides = Partial<Omit<BakalariSourceOptions, "config" | "tokenCache" | "publicTimetable">> & { config?: Partial<SourceConfig> };

/**
 * The source as a run builds it, its token pair kept in the test database. These tests
 * are about the signed-in API: the public timetable is off unless a test turns it on.
 */
function source(overrides: Overrides = {}) {
  const { config, http, ...rest } = overrides;
  return bakalariSourceFor(
    {
      bakalariUrl: FAKE,
      bakalariUsername: "sync-service",
      bakalariPassword: "test-password",
      tokenKey: KEY,
      publicTimetable: "off",
      rosterRotation: 4,
      publicTimetableMaxAgeHours: 24,
      ...config,
    },
    database.db,
    {
      now: () => new Date(SCHOOL_DAY),
      ...rest,
      // Fast backoff; the real Retry-After of the fake is still honoured.
      http: { baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 10_000, ...http },
    },
  );
}

/** A fetch that records what went through it. */
function recordingFetch(before?: (url: URL) => Promise<void> | void) {
  const seen: { path: string; status: number }[] = [];
  let inFlight = 0;
  const state = { most: 0, logins: [] as { access_token: string; refresh_token: string }[] };
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    await before?.(url);
    inFlight += 1;
    state.most = Math.max(state.most, inFlight);
    try {
      const res = await fetch(input, init);
      seen.push({ path: url.pathname, status: res.status });
      if (url.pathname === "/api/login" && res.ok) state.logins.push(await res.clone().json());
      return res;
    } finally {
      inFlight -= 1;
    }
  }) as typeof fetch;
  return { fetchFn, seen, state };
}

const key = (e: { userId: string; subjectId: string; classId: string }) => JSON.stringify([e.userId, e.subjectId, e.classId]);
const shown = (r: { name: string | undefined; abbrev?: string | undefined }) => r.name || (r.abbrev ?? "");

describe("Bakaláři source against the fake school", () => {
  it("reads the school as the model holds it, ids byte for byte", async () => {
    const roster = await source().read();
    const expected = await fake.expected();
    expect(roster.classes.map((c) => ({ ...c, name: shown(c) }))).toEqual(expected.classes);
    expect(roster.subjects.map((s) => ({ ...s, name: shown(s) }))).toEqual(expected.subjects);
    expect(roster.teachers.map((t) => ({ ...t, name: shown(t) }))).toEqual(expected.teachers);
    const students = (list: { id: string; name: string; classId: string; abbrev?: string }[]) =>
      list.map((s) => ({ id: s.id, name: shown(s), classId: s.classId })).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(students(roster.students)).toEqual(students(expected.students));
    expect(new Set(roster.studentEnrollments.map(key))).toEqual(new Set(expected.studentEnrollments.map(key)));
    expect(new Set(roster.teachingAssignments.map(key))).toEqual(new Set(expected.teachingAssignments.map(key)));
    expect(roster.groups.every((g) => g.roster.status === "read")).toBe(true);
    // Padded ids survive: two students differ only by whitespace, and class " 6" exists.
    expect(roster.students.filter((s) => s.id === "U  12" || s.id === "U 12")).toHaveLength(2);
    expect(roster.classes.map((c) => c.id)).toContain(" 6");
    expect(roster.warnings).toEqual([]);
  });

  it("counts every HTTP request it makes, as the fake saw them", async () => {
    const s = source();
    await s.read();
    const stats = await fake.stats();
    expect(s.requests()).toBe(stats.requests.total);
    expect(s.requests()).toBeGreaterThan(3);
  });

  it("reuses the cached token in the next run: no second password login", async () => {
    await source().read();
    await source().read();
    expect((await fake.stats()).logins).toEqual({ password: 1, refresh: 0, failed: 0 });
  });

  it("refreshes an expired token, rotates the pair, and keeps the new one", async () => {
    await source().read();
    await source({ now: () => new Date(SCHOOL_DAY + 2 * HOUR) }).read();
    expect((await fake.stats()).logins).toEqual({ password: 1, refresh: 1, failed: 0 });
    // The rotated pair was kept: the run after uses it without logging in.
    await source({ now: () => new Date(SCHOOL_DAY + 2 * HOUR) }).read();
    expect((await fake.stats()).logins).toEqual({ password: 1, refresh: 1, failed: 0 });
  });

  it("refreshes after the server expired its tokens, retrying the refused request once", async () => {
    await source().read();
    await fake.auth({ expireAccessTokens: true });
    const rec = recordingFetch();
    await source({ fetch: rec.fetchFn }).read();
    expect((await fake.stats()).logins).toEqual({ password: 1, refresh: 1, failed: 0 });
    const refused = rec.seen.filter((r) => r.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    // Every refused request was sent again once, and succeeded.
    for (const r of refused) expect(rec.seen.filter((x) => x.path === r.path && x.status === 200)).toHaveLength(1);
  });

  it("renews once when tokens expire mid-run, for all the requests in flight", async () => {
    let expired = false;
    const rec = recordingFetch(async (url) => {
      if (!expired && url.pathname.startsWith("/api/3/lesson/")) {
        expired = true;
        await fake.auth({ expireAccessTokens: true });
      }
    });
    const roster = await source({ fetch: rec.fetchFn }).read();
    expect(roster.groups.every((g) => g.roster.status === "read")).toBe(true);
    expect((await fake.stats()).logins).toEqual({ password: 1, refresh: 1, failed: 0 });
    expect(rec.seen.filter((r) => r.status === 401).length).toBeGreaterThan(0);
  });

  it("fails the run with BAKALARI_AUTH when logins are refused mid-run, not the groups one by one", async () => {
    let broken = false;
    const rec = recordingFetch(async (url) => {
      if (!broken && url.pathname.startsWith("/api/3/lesson/")) {
        broken = true;
        // Logins refused first, then tokens expired: no request in flight can renew in between.
        await fake.setFaults([{ path: "^/api/login$", kind: "status", status: 400 }]);
        await fake.auth({ expireAccessTokens: true });
      }
    });
    const e = await bakalariError(source({ fetch: rec.fetchFn }).read());
    expect(e.code).toBe("BAKALARI_AUTH");
    expect(e.endpoint).toBe("/api/login");
    // One refresh attempt and one password attempt, both refused: never a second password try.
    expect(rec.seen.filter((r) => r.path === "/api/login" && r.status === 400)).toHaveLength(2);
  });

  it("falls back to the password when the refresh token was already redeemed", async () => {
    await source().read();
    const [stale] = (await database.db.execute(sql`select * from bakalari_sessions`)).rows;
    await source({ now: () => new Date(SCHOOL_DAY + 2 * HOUR) }).read(); // redeems the refresh token
    // Put the old pair back, as if a concurrent writer had lost the newer one.
    await database.db.execute(
      sql`update bakalari_sessions set iv = ${stale!.iv}, ciphertext = ${stale!.ciphertext}, access_expires_at = ${stale!.access_expires_at}`,
    );
    const roster = await source({ now: () => new Date(SCHOOL_DAY + 2 * HOUR) }).read();
    expect(roster.classes.length).toBeGreaterThan(0);
    expect((await fake.stats()).logins).toEqual({ password: 2, refresh: 1, failed: 1 });
  });

  it("answers a wrong password with BAKALARI_AUTH after exactly one login attempt", async () => {
    const s = source({ config: { bakalariPassword: "not-the-password" } });
    const e = await bakalariError(s.read());
    expect(e.code).toBe("BAKALARI_AUTH");
    expect(e.message).not.toContain("not-the-password");
    expect(e.message).not.toContain("sync-service");
    const stats = await fake.stats();
    expect(stats.logins).toEqual({ password: 0, refresh: 0, failed: 1 });
    expect(s.requests()).toBe(1);
  });

  it("works without a token key: a warning, nothing stored, a password login every run", async () => {
    const first = await source({ config: { tokenKey: null } }).read();
    await source({ config: { tokenKey: null } }).read();
    expect(first.warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.tokenNotCached }));
    expect(first.warnings.find((w) => w.code === ROSTER_WARNING.tokenNotCached)?.message).toContain("BAKALARI_TOKEN_KEY is unset");
    expect((await fake.stats()).logins.password).toBe(2);
    expect((await database.db.execute(sql`select 1 from bakalari_sessions`)).rows).toHaveLength(0);
  });

  it("stores the token pair encrypted, and discards it with a warning when the key changed", async () => {
    const rec = recordingFetch();
    await source({ fetch: rec.fetchFn }).read();
    const issued = rec.state.logins[0]!;
    const rows = (await database.db.execute<{ ciphertext: Uint8Array; iv: Uint8Array }>(sql`select * from bakalari_sessions`)).rows;
    expect(rows).toHaveLength(1);
    const stored = Buffer.from(rows[0]!.ciphertext);
    expect(stored.includes(Buffer.from(issued.access_token))).toBe(false);
    expect(stored.includes(Buffer.from(issued.refresh_token))).toBe(false);

    const roster = await source({ config: { tokenKey: new Uint8Array(32).fill(8) } }).read();
    expect(roster.warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.tokenCacheUnreadable }));
    expect((await fake.stats()).logins.password).toBe(2);
  });
});

describe("Bakaláři source on a failing server", () => {
  it("retries 5xx answers", async () => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "status", status: 503, times: 2 }]);
    const s = source();
    const roster = await s.read();
    expect(roster.classes.length).toBeGreaterThan(0);
    const stats = await fake.stats();
    expect(s.requests()).toBe(stats.requests.total);
    expect(stats.requests.byEndpoint["GET /api/3/timetable/permanent"]).toBe(3);
  });

  it("gives up with BAKALARI_UNAVAILABLE after the retries", async () => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "status", status: 500 }]);
    const e = await bakalariError(source({ http: { maxRetries: 3 } }).read());
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    expect(e.message).toContain("/api/3/timetable/permanent failed after 4 attempts");
  });

  it("honours Retry-After on a 429", async () => {
    await fake.setFaults([{ path: "^/api/3/classbook", kind: "rateLimit", retryAfter: 1, times: 1 }]);
    const slept: number[] = [];
    const sleep = (ms: number) => {
      slept.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    const roster = await source({ http: { sleep } }).read();
    expect(roster.classes.length).toBeGreaterThan(0);
    expect(slept).toEqual([1_000]);
  });

  it("retries connection resets", async () => {
    await fake.setFaults([{ path: "^/api/3/classbook", kind: "reset", times: 2 }]);
    const s = source();
    const roster = await s.read();
    expect(roster.groups.every((g) => g.roster.status === "read")).toBe(true);
    const stats = await fake.stats();
    expect(stats.requests.byEndpoint["GET /api/3/classbook"]).toBe(3);
    expect(s.requests()).toBe(stats.requests.total);
  });

  it("times out a slow answer and retries it", async () => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "latency", ms: 10_000, times: 1 }]);
    const s = source({ http: { timeoutMs: 500 } });
    const roster = await s.read();
    expect(roster.classes.length).toBeGreaterThan(0);
    expect((await fake.stats()).requests.byEndpoint["GET /api/3/timetable/permanent"]).toBe(2);
  });

  it("fails with BAKALARI_UNAVAILABLE when every attempt times out", async () => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "latency", ms: 10_000 }]);
    const e = await bakalariError(source({ http: { timeoutMs: 300, maxRetries: 1 } }).read());
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    expect(e.message).toContain("timed out after 300 ms");
  });

  it("fails a body that is not JSON with BAKALARI_PAYLOAD naming the endpoint", async () => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "malformed" }]);
    const e = await bakalariError(source().read());
    expect(e.code).toBe("BAKALARI_PAYLOAD");
    expect(e.message).toContain("/api/3/timetable/permanent");
    expect(e.endpoint).toBe("/api/3/timetable/permanent");
  });

  it("fails JSON of the wrong shape with BAKALARI_PAYLOAD naming the endpoint", async () => {
    await fake.setFaults([{ path: "^/api/3/classbook", kind: "wrongShape" }]);
    const e = await bakalariError(source().read());
    expect(e.code).toBe("BAKALARI_PAYLOAD");
    expect(e.message).toContain("/api/3/classbook");
  });

  it("fails a login answer of the wrong shape with BAKALARI_PAYLOAD naming the login endpoint", async () => {
    await fake.setFaults([{ path: "^/api/login$", kind: "wrongShape" }]);
    const e = await bakalariError(source().read());
    expect(e.code).toBe("BAKALARI_PAYLOAD");
    expect(e.message).toContain("POST /api/login");
    expect(e.message).toContain("access_token");
  });

  it("reads a truncated timetable without crashing: fewer classes, no group read for a class it lost", async () => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "truncated" }]);
    const roster = await source().read();
    const expected = await fake.expected();
    expect(roster.classes.length).toBe(Math.ceil(expected.classes.length / 2));
    const classIds = new Set(roster.classes.map((c) => c.id));
    for (const g of roster.groups.filter((g) => g.roster.status === "read")) expect(classIds.has(g.classId)).toBe(true);
    for (const s of roster.students) expect(classIds.has(s.classId)).toBe(true);
  });

  it("marks the groups of a failed absence request failed and goes on", async () => {
    const rec = recordingFetch();
    await source({ fetch: rec.fetchFn }).read();
    const lessonPath = rec.seen.find((r) => r.path.startsWith("/api/3/lesson/"))!.path;
    await fake.reset({ size: "small", seed: 1 });
    await fake.setFaults([{ path: `^${lessonPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, kind: "status", status: 500 }]);
    const roster = await source().read();
    const failed = roster.groups.filter((g) => g.roster.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    expect(roster.groups.filter((g) => g.roster.status === "read").length).toBeGreaterThan(failed.length);
    for (const g of failed) {
      expect(roster.warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.groupRosterFailed, externalId: g.id }));
    }
  });

  it("fails with BAKALARI_UNAVAILABLE when every absence request fails", async () => {
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "status", status: 502 }]);
    const e = await bakalariError(source({ http: { maxRetries: 1 } }).read());
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
  });

  it(`stops asking for absence lists after ${ROSTER_FAILURES_IN_A_ROW} failed in a row, so a dying server is not hammered`, async () => {
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "status", status: 503 }]);
    const rec = recordingFetch();
    const e = await bakalariError(source({ fetch: rec.fetchFn, http: { maxRetries: 1 } }).read());
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    const asked = new Set(rec.seen.filter((r) => r.path.startsWith("/api/3/lesson/")).map((r) => r.path));
    const lessons = (await fake.expected()).classes.length * 5; // at least five groups a class
    // The six in flight when the breaker opens may finish; nothing new starts after it.
    expect(asked.size).toBeLessThanOrEqual(ROSTER_FAILURES_IN_A_ROW + 6);
    expect(asked.size).toBeLessThan(lessons);
  });

  it("survives truncated lists of the absence lists: the cut groups fail, the run goes on", async () => {
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "truncated" }]);
    const roster = await source().read();
    expect(roster.students.length).toBeGreaterThan(0);
    expect(roster.students.length).toBeLessThan((await fake.expected()).students.length);
  });

  it("keeps at most six requests in flight", async () => {
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "latency", ms: 50 }]);
    const rec = recordingFetch();
    const s = source({ fetch: rec.fetchFn });
    await s.read();
    expect(rec.state.most).toBe(6);
    expect(s.requests()).toBe(rec.seen.length);
  });
});

describe("Bakaláři source on school events", () => {
  it("reads no rosters in the holidays, warns, and does not fail", async () => {
    await fake.change({ op: "holidays", on: true });
    const roster = await source().read();
    expect(roster.classes.length).toBeGreaterThan(0);
    expect(roster.teachingAssignments.length).toBeGreaterThan(0);
    expect(roster.students).toEqual([]);
    expect(roster.groups.every((g) => g.roster.status === "no_lesson")).toBe(true);
    expect(roster.warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.noRosters }));
  });

  it("warns about a student in groups of two classes, naming the student id", async () => {
    const changed = await fake.change({ op: "studentInTwoClasses" });
    const roster = await source().read();
    const warning = roster.warnings.find((w) => w.code === ROSTER_WARNING.studentInTwoClasses);
    expect(warning?.externalId).toBeDefined();
    expect(warning?.externalId).toBe(changed.studentId);
    expect(roster.students.filter((s) => s.id === warning?.externalId)).toHaveLength(1);
  });
});

describe("Bakaláři source and the account it signs in with", () => {
  const lessonRequests = (stats: { requests: { byEndpoint: Record<string, number> } }) =>
    Object.entries(stats.requests.byEndpoint)
      .filter(([endpoint]) => endpoint.includes("/api/3/lesson/"))
      .reduce((n, [, count]) => n + count, 0);

  it("reads who the management account is, once a run, and sees the school whole", async () => {
    const roster = await source().read();
    const stats = await fake.stats();
    expect(stats.requests.byEndpoint["GET /api/3/user"]).toBe(1);
    expect(roster.coverage.account.type).toBe("headmastership");
    const classes = roster.classes.map((c) => c.id);
    expect(roster.scope).toMatchObject({ catalogComplete: true, studentsComplete: classes, subjectsComplete: classes, dropped: [] });
    expect(roster.coverage.rosters).toMatchObject({ classes: classes.length, classesRead: classes.length, classesExempt: 0, exempt: [] });
  });

  it.each([
    ["a student", "zak"],
    ["a parent", "rodic"],
  ])("as %s, asks for no class book and no absence list, reads no student, and takes nothing as gone", async (_name, username) => {
    const roster = await source({ config: { bakalariUsername: username } }).read();
    const stats = await fake.stats();
    expect(stats.requests.byEndpoint["GET /api/3/classbook"] ?? 0).toBe(0);
    expect(lessonRequests(stats)).toBe(0);
    expect(roster.classes.length).toBeGreaterThan(0);
    expect(roster.students).toEqual([]);
    expect(roster.scope).toMatchObject({ catalogComplete: false, studentsComplete: [], subjectsComplete: [] });
    expect(new Set(roster.coverage.rosters.exempt.map((e) => e.reason))).toEqual(new Set(["account_scope"]));
    expect(roster.warnings.map((w) => w.code)).toContain(ROSTER_WARNING.accountScope);
    expect(roster.warnings.map((w) => w.code)).not.toContain(ROSTER_WARNING.noRosters);
  });

  it("as a teacher, reads its own class book but never takes its timetable for the whole school", async () => {
    const roster = await source({ config: { bakalariUsername: "ucitel" } }).read();
    expect(roster.coverage.account.type).toBe("teacher");
    expect(roster.scope.catalogComplete).toBe(false);
    expect(roster.scope.subjectsComplete).toEqual([]);
    expect(roster.warnings).toContainEqual(
      expect.objectContaining({ code: ROSTER_WARNING.accountScope, message: expect.stringMatching(/teacher's timetable/) }),
    );
    // Whatever it saw whole, its numbers add up.
    const c = roster.coverage.rosters;
    expect(c.classesRead + c.classesExempt).toBe(c.classes);
    expect(c.classesRead).toBe(roster.scope.studentsComplete.length);
  });

  it("takes a class book refused with 403 for a question of scope, not of the password: no rosters, a warning, no failure", async () => {
    await fake.setFaults([{ path: "^/api/3/classbook", kind: "status", status: 403 }]);
    const roster = await source().read();
    expect(roster.students).toEqual([]);
    expect(roster.classes.length).toBeGreaterThan(0);
    expect(roster.warnings).toContainEqual(
      expect.objectContaining({ code: ROSTER_WARNING.accountScope, message: expect.stringContaining("HTTP 403") }),
    );
    expect(new Set(roster.coverage.rosters.exempt.map((e) => e.reason))).toEqual(new Set(["account_scope"]));
    expect(lessonRequests(await fake.stats())).toBe(0);
  });

  it("fails only the groups of an absence list refused with 403", async () => {
    const rec = recordingFetch();
    await source({ fetch: rec.fetchFn }).read();
    const lessonPath = rec.seen.find((r) => r.path.startsWith("/api/3/lesson/"))!.path;
    await fake.reset({ size: "small", seed: 1 });
    await fake.setFaults([{ path: `^${lessonPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, kind: "status", status: 403 }]);
    const roster = await source().read();
    const failed = roster.groups.filter((g) => g.roster.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    expect(roster.students.length).toBeGreaterThan(0);
    const failedClasses = new Set(failed.map((g) => g.classId));
    for (const id of failedClasses) expect(roster.scope.studentsComplete).not.toContain(id);
    expect(
      roster.coverage.rosters.exempt
        .filter((e) => e.reason === "request_failed")
        .map((e) => e.classId)
        .sort(),
    ).toEqual([...failedClasses].sort());
  });

  it("goes on when the account's type cannot be read, taking nothing of the catalog as gone", async () => {
    await fake.setFaults([{ path: "^/api/3/user$", kind: "status", status: 500 }]);
    const roster = await source({ http: { maxRetries: 1 } }).read();
    expect(roster.coverage.account.type).toBeNull();
    expect(roster.scope.catalogComplete).toBe(false);
    expect(roster.students.length).toBeGreaterThan(0);
    expect(roster.warnings).toContainEqual(
      expect.objectContaining({ code: ROSTER_WARNING.accountScope, message: expect.stringMatching(/type could not be read/) }),
    );
  });
});
