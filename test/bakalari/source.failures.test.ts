/** The Bakaláři source on a failing server (the fake's faults): retries, timeouts, broken payloads, failed rosters. */
import { describe, expect } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import { ROSTER_FAILURES_IN_A_ROW } from "../../src/bakalari/source";
import { bakalariError } from "../support/errors";
import { fake, recordingFetch, sourceTest as it } from "./source-harness";

describe("Bakaláři source on a failing server", () => {
  it("retries 5xx answers", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "status", status: 503, times: 2 }]);
    const s = source();
    const roster = await s.read();
    expect(roster.classes.length).toBeGreaterThan(0);
    const stats = await fake.stats();
    expect(s.requests()).toBe(stats.requests.total);
    expect(stats.requests.byEndpoint["GET /api/3/timetable/permanent"]).toBe(3);
  });

  it("gives up with BAKALARI_UNAVAILABLE after the retries", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "status", status: 500 }]);
    const e = await bakalariError(source({ http: { maxRetries: 3 } }).read());
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    expect(e.message).toContain("/api/3/timetable/permanent failed after 4 attempts");
  });

  it("honours Retry-After on a 429", async ({ source }) => {
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

  it("retries connection resets", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/classbook", kind: "reset", times: 2 }]);
    const s = source();
    const roster = await s.read();
    expect(roster.groups.every((g) => g.roster.status === "read")).toBe(true);
    const stats = await fake.stats();
    expect(stats.requests.byEndpoint["GET /api/3/classbook"]).toBe(3);
    expect(s.requests()).toBe(stats.requests.total);
  });

  it("times out a slow answer and retries it", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "latency", ms: 10_000, times: 1 }]);
    const s = source({ http: { timeoutMs: 500 } });
    const roster = await s.read();
    expect(roster.classes.length).toBeGreaterThan(0);
    expect((await fake.stats()).requests.byEndpoint["GET /api/3/timetable/permanent"]).toBe(2);
  });

  it("fails with BAKALARI_UNAVAILABLE when every attempt times out", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "latency", ms: 10_000 }]);
    const e = await bakalariError(source({ http: { timeoutMs: 300, maxRetries: 1 } }).read());
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    expect(e.message).toContain("timed out after 300 ms");
  });

  it.for([
    // [what, the faulted path, the fault, what the message names, the error's endpoint when it names one]
    ["a body that is not JSON", "^/api/3/timetable/permanent$", "malformed", ["/api/3/timetable/permanent"], "/api/3/timetable/permanent"],
    ["JSON of the wrong shape", "^/api/3/classbook", "wrongShape", ["/api/3/classbook"], undefined],
    ["a login answer of the wrong shape", "^/api/login$", "wrongShape", ["POST /api/login", "access_token"], undefined],
  ] as const)("fails %s with BAKALARI_PAYLOAD naming the endpoint", async ([_what, path, kind, named, endpoint], { source }) => {
    await fake.setFaults([{ path, kind }]);
    const e = await bakalariError(source().read());
    expect(e.code).toBe("BAKALARI_PAYLOAD");
    for (const text of named) expect(e.message).toContain(text);
    if (endpoint !== undefined) expect(e.endpoint).toBe(endpoint);
  });

  it("reads a truncated timetable without crashing: fewer classes, no group read for a class it lost", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/timetable/permanent$", kind: "truncated" }]);
    const roster = await source().read();
    const expected = await fake.expected();
    expect(roster.classes.length).toBe(Math.ceil(expected.classes.length / 2));
    const classIds = new Set(roster.classes.map((c) => c.id));
    for (const g of roster.groups.filter((g) => g.roster.status === "read")) expect(classIds.has(g.classId)).toBe(true);
    for (const s of roster.students) expect(classIds.has(s.classId)).toBe(true);
  });

  it("marks the groups of a failed absence request failed and goes on", async ({ withOneAbsenceListAnswering }) => {
    const { roster, failed } = await withOneAbsenceListAnswering(500);
    expect(failed.length).toBeGreaterThan(0);
    expect(roster.groups.filter((g) => g.roster.status === "read").length).toBeGreaterThan(failed.length);
    for (const g of failed) {
      expect(roster.warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.groupRosterFailed, externalId: g.id }));
    }
  });

  it("fails with BAKALARI_UNAVAILABLE when every absence request fails", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "status", status: 502 }]);
    const e = await bakalariError(source({ http: { maxRetries: 1 } }).read());
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
  });

  it(`stops asking for absence lists after ${ROSTER_FAILURES_IN_A_ROW} failed in a row, so a dying server is not hammered`, async ({
    source,
  }) => {
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

  it("survives truncated lists of the absence lists: the cut groups fail, the run goes on", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "truncated" }]);
    const roster = await source().read();
    expect(roster.students.length).toBeGreaterThan(0);
    expect(roster.students.length).toBeLessThan((await fake.expected()).students.length);
  });

  it("keeps at most six requests in flight", async ({ source }) => {
    await fake.setFaults([{ path: "^/api/3/lesson/", kind: "latency", ms: 50 }]);
    const rec = recordingFetch();
    const s = source({ fetch: rec.fetchFn });
    await s.read();
    expect(rec.state.most).toBe(6);
    expect(s.requests()).toBe(rec.seen.length);
  });
});
