/**
 * The Bakaláři source against the fake school over real HTTP, inside workerd, for the
 * source's tests (source*.test.ts). The fake is one server shared by every test file, so
 * each test resets it first, and forgets the token pair the last one cached.
 */
import { sql } from "drizzle-orm";
import { inject } from "vitest";
import { fakeControl } from "../../dev/fake-bakalari/control";
import { bakalariSourceFor, type BakalariSourceOptions } from "../../src/bakalari/source";
import type { Database } from "../../src/db/client";
import { test } from "../support/fixtures";

const FAKE = inject("fakeBakalariUrl");
const KEY = new Uint8Array(32).fill(7);
/** A Wednesday in term time: the class book window then holds two school weeks. */
export const SCHOOL_DAY = Date.parse("2026-11-25T09:00:00Z");
export const HOUR = 3_600_000;

export const fake = fakeControl(FAKE);

type SourceConfig = Parameters<typeof bakalariSourceFor>[0];
type Overrides = Partial<Omit<BakalariSourceOptions, "config" | "tokenCache" | "publicTimetable">> & { config?: Partial<SourceConfig> };

/**
 * The source as a run builds it, its token pair kept in the test database. These tests
 * are about the signed-in API: the public timetable is off unless a test turns it on.
 */
const sourceOn =
  (database: Database) =>
  (overrides: Overrides = {}) => {
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
  };

/** A fetch that records what went through it. */
export function recordingFetch(before?: (url: URL) => Promise<void> | void) {
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

export const key = (e: { userId: string; subjectId: string; classId: string }) => JSON.stringify([e.userId, e.subjectId, e.classId]);
export const shown = (r: { name: string | undefined; abbrev?: string | undefined }) => r.name || (r.abbrev ?? "");

/** `source(overrides)`: the source on the file's database, after the fake school and the token cache were reset. */
export const sourceTest = test
  .extend("resetSchool", { auto: true }, async ({ db }) => {
    await fake.reset({ size: "small", seed: 1 });
    await db.db.execute(sql`delete from bakalari_sessions`);
  })
  .extend("source", ({ db }) => sourceOn(db))
  /**
   * Reads the school once to learn an absence list's path, then again with that one list
   * answering `status`: the roster of that second read, and its groups that failed.
   */
  .extend("withOneAbsenceListAnswering", ({ source }) => async (status: number) => {
    const rec = recordingFetch();
    await source({ fetch: rec.fetchFn }).read();
    const lessonPath = rec.seen.find((r) => r.path.startsWith("/api/3/lesson/"))!.path;
    await fake.reset({ size: "small", seed: 1 });
    await fake.setFaults([{ path: `^${lessonPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, kind: "status", status }]);
    const roster = await source().read();
    return { roster, failed: roster.groups.filter((g) => g.roster.status === "failed") };
  });
