/**
 * The Bakaláři source against the fake school over real HTTP, inside workerd: what it reads,
 * how it signs in and keeps its token pair, and what school events do to it. A failing server:
 * source.failures.test.ts; the account it signs in with: source.account.test.ts.
 */
import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import { bakalariError } from "../support/errors";
import { fake, HOUR, key, recordingFetch, SCHOOL_DAY, shown, sourceTest as it } from "./source-harness";

describe("Bakaláři source against the fake school", () => {
  it("reads the school as the model holds it, ids byte for byte", async ({ source }) => {
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

  it("counts every HTTP request it makes, as the fake saw them", async ({ source }) => {
    const s = source();
    await s.read();
    const stats = await fake.stats();
    expect(s.requests()).toBe(stats.requests.total);
    expect(s.requests()).toBeGreaterThan(3);
  });

  it("reuses the cached token in the next run: no second password login", async ({ source }) => {
    await source().read();
    await source().read();
    expect((await fake.stats()).logins).toEqual({ password: 1, refresh: 0, failed: 0 });
  });

  it("refreshes an expired token, rotates the pair, and keeps the new one", async ({ source }) => {
    await source().read();
    await source({ now: () => new Date(SCHOOL_DAY + 2 * HOUR) }).read();
    expect((await fake.stats()).logins).toEqual({ password: 1, refresh: 1, failed: 0 });
    // The rotated pair was kept: the run after uses it without logging in.
    await source({ now: () => new Date(SCHOOL_DAY + 2 * HOUR) }).read();
    expect((await fake.stats()).logins).toEqual({ password: 1, refresh: 1, failed: 0 });
  });

  it("refreshes after the server expired its tokens, retrying the refused request once", async ({ source }) => {
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

  it("renews once when tokens expire mid-run, for all the requests in flight", async ({ source }) => {
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

  it("fails the run with BAKALARI_AUTH when logins are refused mid-run, not the groups one by one", async ({ source }) => {
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

  it("falls back to the password when the refresh token was already redeemed", async ({ db, source }) => {
    await source().read();
    const [stale] = (await db.db.execute(sql`select * from bakalari_sessions`)).rows;
    await source({ now: () => new Date(SCHOOL_DAY + 2 * HOUR) }).read(); // redeems the refresh token
    // Put the old pair back, as if a concurrent writer had lost the newer one.
    await db.db.execute(
      sql`update bakalari_sessions set iv = ${stale!.iv}, ciphertext = ${stale!.ciphertext}, access_expires_at = ${stale!.access_expires_at}`,
    );
    const roster = await source({ now: () => new Date(SCHOOL_DAY + 2 * HOUR) }).read();
    expect(roster.classes.length).toBeGreaterThan(0);
    expect((await fake.stats()).logins).toEqual({ password: 2, refresh: 1, failed: 1 });
  });

  it("answers a wrong password with BAKALARI_AUTH after exactly one login attempt", async ({ source }) => {
    const s = source({ config: { bakalariPassword: "not-the-password" } });
    const e = await bakalariError(s.read());
    expect(e.code).toBe("BAKALARI_AUTH");
    expect(e.message).not.toContain("not-the-password");
    expect(e.message).not.toContain("sync-service");
    const stats = await fake.stats();
    expect(stats.logins).toEqual({ password: 0, refresh: 0, failed: 1 });
    expect(s.requests()).toBe(1);
  });

  it("works without a token key: a warning, nothing stored, a password login every run", async ({ db, source }) => {
    const first = await source({ config: { tokenKey: null } }).read();
    await source({ config: { tokenKey: null } }).read();
    expect(first.warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.tokenNotCached }));
    expect(first.warnings.find((w) => w.code === ROSTER_WARNING.tokenNotCached)?.message).toContain("BAKALARI_TOKEN_KEY is unset");
    expect((await fake.stats()).logins.password).toBe(2);
    expect((await db.db.execute(sql`select 1 from bakalari_sessions`)).rows).toHaveLength(0);
  });

  it("stores the token pair encrypted, and discards it with a warning when the key changed", async ({ db, source }) => {
    const rec = recordingFetch();
    await source({ fetch: rec.fetchFn }).read();
    const issued = rec.state.logins[0]!;
    const rows = (await db.db.execute<{ ciphertext: Uint8Array; iv: Uint8Array }>(sql`select * from bakalari_sessions`)).rows;
    expect(rows).toHaveLength(1);
    const stored = Buffer.from(rows[0]!.ciphertext);
    expect(stored.includes(Buffer.from(issued.access_token))).toBe(false);
    expect(stored.includes(Buffer.from(issued.refresh_token))).toBe(false);

    const roster = await source({ config: { tokenKey: new Uint8Array(32).fill(8) } }).read();
    expect(roster.warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.tokenCacheUnreadable }));
    expect((await fake.stats()).logins.password).toBe(2);
  });
});

describe("Bakaláři source on school events", () => {
  it("reads no rosters in the holidays, warns, and does not fail", async ({ source }) => {
    await fake.change({ op: "holidays", on: true });
    const roster = await source().read();
    expect(roster.classes.length).toBeGreaterThan(0);
    expect(roster.teachingAssignments.length).toBeGreaterThan(0);
    expect(roster.students).toEqual([]);
    expect(roster.groups.every((g) => g.roster.status === "no_lesson")).toBe(true);
    expect(roster.warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.noRosters }));
  });

  it("warns about a student in groups of two classes, naming the student id", async ({ source }) => {
    const changed = await fake.change({ op: "studentInTwoClasses" });
    const roster = await source().read();
    const warning = roster.warnings.find((w) => w.code === ROSTER_WARNING.studentInTwoClasses);
    expect(warning?.externalId).toBeDefined();
    expect(warning?.externalId).toBe(changed.studentId);
    expect(roster.students.filter((s) => s.id === warning?.externalId)).toHaveLength(1);
  });
});
