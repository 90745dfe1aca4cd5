/**
 * What each kind of Bakaláři account sees, end to end: the real source against the fake
 * school (which serves each account its own views), the real engine, a real database.
 * The rule under test: what an account cannot see is left as it is, and coverage says so.
 */
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import { bakalariSourceFor } from "../../src/bakalari/source";
import { parseConfig, type Bindings } from "../../src/config";
import { runSync, type SyncOutcome } from "../../src/sync/engine";
import { freshTest } from "../support/fixtures";
import { activeView, expectedView, rowVersions, type ActiveView } from "../support/inspect";
import { asRoster } from "../support/roster";
import { expectStatus } from "../support/sync";
import { testBindings } from "../support/worker";
import { fake, TOKEN_KEY } from "../reliability/harness";

const visible = (username: string) => fake.visible(username);
const setPublic = (mode: Parameters<typeof fake.publicTimetable>[0]) => fake.publicTimetable(mode);
const setAssumptions = (a: Parameters<typeof fake.setAssumptions>[0]) => fake.setAssumptions(a);
const setUserType = (username: string, userType: string) => fake.setUserType(username, userType);

const zero = { created: 0, updated: 0, deactivated: 0, reactivated: 0 };
const TYPES = ["classes", "subjects", "users", "enrollments"] as const;

/** A run of the real engine and source as `username` (the public timetable as `publicTimetable` says), on the test's database. */
type Run = (username: string, bindings?: Partial<Bindings>, fetchFn?: typeof fetch) => Promise<SyncOutcome>;
const runAs =
  (databaseUrl: string, publicTimetable: "auto" | "off"): Run =>
  (username, bindings = {}, fetchFn) => {
    const config = parseConfig(
      testBindings({
        DATABASE_URL: databaseUrl,
        BAKALARI_USERNAME: username,
        BAKALARI_TOKEN_KEY: TOKEN_KEY,
        BAKALARI_PUBLIC_TIMETABLE: publicTimetable,
        ...bindings,
      }),
    );
    return runSync(
      { config, log: () => undefined, source: (db) => bakalariSourceFor(config, db, fetchFn ? { fetch: fetchFn } : {}) },
      { trigger: "manual" },
    );
  };

const it = freshTest
  .extend("run", ({ databaseUrl }) => runAs(databaseUrl, "off"))
  /** A second run of the same account writes no roster row. */
  .extend("expectIdempotent", ({ db, run }) => async (username: string, bindings: Partial<Bindings> = {}) => {
    const before = await rowVersions(db);
    const again = expectStatus(await run(username, bindings), "ok");
    for (const type of TYPES) expect(again.counts[type], type).toMatchObject(zero);
    expect(again.rowsWritten).toBe(0);
    expect(await rowVersions(db)).toBe(before);
  });

describe("what each account sees", () => {
  beforeEach(async () => {
    await fake.reset({ size: "small", seed: 1 });
  });

  /** A run after a whole-school sync: it may add what it sees, never take away what it does not. */
  function expectNothingTakenAway(o: { counts: Record<(typeof TYPES)[number], { deactivated: number; updated: number }> }) {
    for (const type of TYPES) {
      expect(o.counts[type].deactivated, `${type} deactivated`).toBe(0);
      expect(o.counts[type].updated, `${type} updated`).toBe(0);
    }
  }

  const studentsRequests = async () => {
    const stats = await fake.stats();
    return {
      classbook: stats.requests.byEndpoint["GET /api/3/classbook"] ?? 0,
      absence: stats.requests.byEndpoint["GET /api/3/lesson/:lessonId/absence"] ?? 0,
    };
  };

  it("the management account syncs the whole school, and a second run writes nothing", async ({ db, run, expectIdempotent }) => {
    const first = expectStatus(await run("sync-service"), "ok");
    expect(first.coverage?.account.type).toBe("headmastership");
    expect(first.coverage?.rosters.classesRead).toBe(first.coverage?.rosters.classes);
    expect(first.coverage?.rosters.classesExempt).toBe(0);
    expect(await activeView(db)).toEqual(expectedView(asRoster(await fake.expected())));
    await expectIdempotent("sync-service");
  });

  it("a teacher account syncs its own classes, reads its class book's rosters, exempts the rest, and says so", async ({
    db,
    run,
    expectIdempotent,
  }) => {
    const seen = await visible("ucitel");
    const first = expectStatus(await run("ucitel"), "ok");
    const coverage = first.coverage!;
    expect(coverage.account.type).toBe("teacher");
    expect(coverage.rosters.classes).toBe(new Set(seen.timetableClassIds).size);
    expect(coverage.rosters.classes).toBe(coverage.rosters.classesRead + coverage.rosters.classesExempt);
    expect(coverage.rosters.classesRead).toBeGreaterThan(0);
    expect(first.warnings.map((w) => w.code)).toContain(ROSTER_WARNING.accountScope);

    const view = await activeView(db);
    expect([...view.classes.keys()].sort()).toEqual([...new Set(seen.timetableClassIds)].sort());
    // Every pupil synced is a real pupil of a class the teacher sees, in that class.
    const expected = await fake.expected();
    const truth = new Map(expected.students.map((s) => [s.id, s.classId]));
    const pupils = [...view.users].filter(([, v]) => v.startsWith("student|"));
    expect(pupils.length).toBeGreaterThan(0);
    for (const [id, v] of pupils) expect(v.endsWith(`|${truth.get(id)}`), id).toBe(true);
    // The pupils of the classes it read whole are all there.
    const read = coverage.rosters.classes - coverage.rosters.exempt.length;
    const readClasses = [...new Set(seen.timetableClassIds)].filter((c) => !coverage.rosters.exempt.some((e) => e.classId === c));
    expect(readClasses.length).toBe(read);
    for (const c of readClasses) {
      const all = expected.students.filter((s) => s.classId === c).map((s) => s.id);
      for (const id of all) expect(view.users.has(id), `pupil ${id} of class ${c}`).toBe(true);
    }
    await expectIdempotent("ucitel");
  });

  it("a teacher account after a whole-school sync takes nothing away", async ({ run }) => {
    expectStatus(await run("sync-service"), "ok");
    const teacher = expectStatus(await run("ucitel"), "ok");
    expectNothingTakenAway(teacher);
  });

  for (const [username, userType] of [
    ["zak", null],
    ["rodic", null],
    ["zak", "Students"],
    ["rodic", "PARENT"],
    ["zak", "student"],
  ] as const) {
    it(`a ${username} account${userType ? ` of type ${JSON.stringify(userType)}` : ""} reads no class book, warns, and takes nothing away`, async ({
      run,
      expectIdempotent,
    }) => {
      if (userType) await setUserType(username, userType);
      expectStatus(await run("sync-service"), "ok");
      const statsBefore = await studentsRequests();
      const o = expectStatus(await run(username), "ok");
      const statsAfter = await studentsRequests();
      expect(statsAfter).toEqual(statsBefore);
      expect(o.warnings.map((w) => w.code)).toContain(ROSTER_WARNING.accountScope);
      expect(o.coverage!.rosters.groupsRead).toBe(0);
      expect(o.coverage!.rosters.exempt.every((e) => e.reason === "account_scope")).toBe(true);
      expectNothingTakenAway(o);
      await expectIdempotent(username);
    });
  }

  it("a class book none of whose lessons belongs to the timetable's classes warns BAKALARI_SCOPE_MISMATCH, not the holidays", async ({
    run,
  }) => {
    // The teacher's own timetable swapped for one class it does not teach (as a captured
    // timetable of another school's class would be): its class book then matches nothing.
    const elsewhere = {
      Hours: [],
      Days: [{ DayOfWeek: 1, Atoms: [{ HourId: 2, GroupIds: ["ZZG"], SubjectId: "ZZS", TeacherId: "ZZT", RoomId: "" }] }],
      Classes: [{ Id: "ZZ", Abbrev: "9.Z", Name: "9. Z" }],
      Groups: [{ ClassId: "ZZ", Id: "ZZG", Abbrev: "9.Z", Name: "9. Z" }],
      Subjects: [{ Id: "ZZS", Abbrev: "Zz", Name: "Zeměpis" }],
      Teachers: [{ Id: "ZZT", Abbrev: "Zz", Name: "Zet Zet" }],
    };
    const rewriting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new URL(String(input)).pathname === "/api/3/timetable/permanent") {
        await fetch(input, init);
        return new Response(JSON.stringify(elsewhere), { status: 200, headers: { "content-type": "application/json" } });
      }
      return fetch(input, init);
    }) as typeof fetch;
    const o = expectStatus(await run("ucitel", {}, rewriting), "ok");
    const codes = o.warnings.map((w) => w.code);
    expect(codes).toContain(ROSTER_WARNING.scopeMismatch);
    expect(codes).not.toContain(ROSTER_WARNING.noRosters);
    expect(o.coverage!.rosters.groupsRead).toBe(0);
    expect(o.counts.users.created).toBe(1); // the one teacher of that timetable; no pupil
    const again = expectStatus(await run("ucitel", {}, rewriting), "ok");
    for (const type of TYPES) expect(again.counts[type]).toMatchObject(zero);
  });

  for (const status of [401, 403]) {
    it(`a class book refused to a teacher account (HTTP ${status}) is a question of scope, not of the password`, async ({ run }) => {
      expectStatus(await run("sync-service"), "ok");
      await fake.setFaults([{ path: "^/api/3/classbook", kind: "status", status }]);
      const before = await studentsRequests();
      const o = await run("ucitel");
      await fake.clearFaults();
      const ok = expectStatus(o, "ok");
      const scope = ok.warnings.filter((w) => w.code === ROSTER_WARNING.accountScope);
      expect(scope.some((w) => w.message.includes("may not read the class book"))).toBe(true);
      expect((await studentsRequests()).absence).toBe(before.absence);
      expect(ok.coverage!.rosters.exempt.every((e) => e.reason === "account_scope")).toBe(true);
      expectNothingTakenAway(ok);
    });
  }

  it("in the holidays a teacher's run warns BAKALARI_NO_ROSTERS and reads no roster", async ({ run }) => {
    await fake.change({ op: "holidays", on: true });
    const o = expectStatus(await run("ucitel"), "ok");
    expect(o.warnings.map((w) => w.code)).toContain(ROSTER_WARNING.noRosters);
    expect(o.coverage!.rosters.exempt.every((e) => e.reason === "holidays")).toBe(true);
  });

  it("under every assumption of the fake, a management or teacher run after a whole-school sync takes nothing away", async ({ run }) => {
    expectStatus(await run("sync-service"), "ok");
    for (const assumptions of [
      { managementTimetable: "own", managementClassbook: "school" },
      { managementTimetable: "own", managementClassbook: "own" },
      { managementTimetable: "school", managementClassbook: "own" },
    ] as const) {
      await setAssumptions(assumptions);
      const o = expectStatus(await run("sync-service"), "ok");
      expectNothingTakenAway(o);
    }
    for (const assumptions of [
      { teacherClassbook: "school" },
      { teacherTimetable: "school" },
      { teacherTimetable: "school", teacherClassbook: "school" },
    ] as const) {
      await fake.reset({ size: "small", seed: 1 });
      await setAssumptions(assumptions);
      expectNothingTakenAway(expectStatus(await run("ucitel"), "ok"));
    }
  });
});

/** The whole school as the fake holds it, teachers by id only: with the public timetable on, their names are its "Surname Name". */
function withoutTeacherNames(view: ActiveView): ActiveView {
  const users = new Map([...view.users].map(([id, v]) => [id, v.startsWith("teacher|") ? "teacher" : v]));
  return { ...view, users };
}

const withPublicTimetable = freshTest
  .extend("run", ({ databaseUrl }) => runAs(databaseUrl, "auto"))
  .extend("subjectsByAbbrev", ({ db }) => async (): Promise<Map<string, number>> => {
    const rows = (await db.db.execute<{ abbrev: string; n: number }>(sql`select abbrev, count(*)::int as n from subjects group by abbrev`))
      .rows;
    return new Map(rows.map((r) => [r.abbrev, r.n]));
  });

describe("with the public timetable", () => {
  const it = withPublicTimetable;

  beforeEach(async () => {
    await fake.reset({ size: "small", seed: 1 });
    await setPublic("on");
  });

  it("a teacher account syncs every class, teacher, subject and teaching assignment of the school", async ({
    db,
    run,
    subjectsByAbbrev,
  }) => {
    const expected = await fake.expected();
    const o = expectStatus(await run("ucitel"), "ok");
    expect(o.coverage!.catalog.publicTimetable).toBe("read");
    expect(o.coverage!.catalog.classes).toBe(expected.classes.length);
    const view = await activeView(db);
    expect([...view.classes.keys()].sort()).toEqual(expected.classes.map((c) => c.id).sort());
    const teachers = [...view.users].filter(([, v]) => v.startsWith("teacher|")).map(([id]) => id);
    expect(teachers.sort()).toEqual(expected.teachers.map((x) => x.id).sort());
    // Subjects: one row per abbreviation, every taught subject of the school.
    const abbrevs = await subjectsByAbbrev();
    const taught = new Set(expected.teachingAssignments.map((a) => a.subjectId));
    const taughtAbbrevs = expected.subjects.filter((s) => taught.has(s.id)).map((s) => s.abbrev);
    for (const a of taughtAbbrevs) expect(abbrevs.get(a), a).toBe(1);
    // Every teaching assignment, with the subject matched by its abbreviation.
    const subjectAbbrev = new Map(expected.subjects.map((s) => [s.id, s.abbrev]));
    const keyAbbrev = new Map(
      (
        await db.db.execute<{ e: string; abbrev: string }>(sql`
        select r.external_id as e, s.abbrev from subjects s join external_refs r on r.type = 'subject' and r.internal_id = s.id::text`)
      ).rows.map((r) => [r.e, r.abbrev]),
    );
    const teacherIds = new Set(expected.teachers.map((x) => x.id));
    const got = new Set(
      [...view.enrollments]
        .map((e) => {
          const first = e.indexOf("|");
          const last = e.lastIndexOf("|");
          return { user: e.slice(0, first), subject: e.slice(first + 1, last), cls: e.slice(last + 1) };
        })
        .filter((e) => teacherIds.has(e.user))
        .map((e) => `${e.user}|${keyAbbrev.get(e.subject)}|${e.cls}`),
    );
    const want = new Set(expected.teachingAssignments.map((a) => `${a.userId}|${subjectAbbrev.get(a.subjectId)}|${a.classId}`));
    expect(got).toEqual(want);

    const before = await rowVersions(db);
    const again = expectStatus(await run("ucitel"), "ok");
    for (const type of TYPES) expect(again.counts[type], type).toMatchObject(zero);
    expect(await rowVersions(db)).toBe(before);
  });

  for (const mode of ["loginRedirect", "notFound", "serverError", "emptyLists", "unrecognised", "unusableIds"] as const) {
    it(`turned off (${mode}), it deactivates and changes nothing, warns, and turned back on writes nothing`, async ({ db, run }) => {
      expectStatus(await run("ucitel"), "ok");
      const before = await rowVersions(db);
      await setPublic(mode);
      const off = expectStatus(await run("ucitel"), "ok");
      expect(off.coverage!.catalog.publicTimetable).toBe("unavailable");
      expect(off.warnings.map((w) => w.code)).toContain(ROSTER_WARNING.publicTimetableUnavailable);
      for (const type of TYPES) expect(off.counts[type], type).toMatchObject(zero);
      expect(await rowVersions(db)).toBe(before);
      await setPublic("on");
      const back = expectStatus(await run("ucitel"), "ok");
      for (const type of TYPES) expect(back.counts[type], type).toMatchObject(zero);
    });
  }

  it("a subject first seen on the public pages keeps its one row when an account's timetable shows its id", async ({
    db,
    run,
    subjectsByAbbrev,
  }) => {
    expectStatus(await run("ucitel"), "ok");
    const firstCount = (await subjectsByAbbrev()).size;
    const management = expectStatus(await run("sync-service"), "ok");
    expect(management.counts.subjects.created).toBe(0);
    const after = await subjectsByAbbrev();
    expect(after.size).toBe(firstCount);
    for (const [abbrev, n] of after) expect(n, abbrev).toBe(1);
    // Every subject is now keyed by its Bakaláři id.
    const keys = (await db.db.execute<{ e: string }>(sql`select external_id as e from external_refs where type = 'subject'`)).rows.map(
      (r) => r.e,
    );
    expect(keys.filter((k) => k.startsWith("abbrev|"))).toEqual([]);
    const whole = expectedView(asRoster(await fake.expected()));
    expect(withoutTeacherNames(await activeView(db))).toEqual(withoutTeacherNames(whole));
    // And a teacher's run after it takes nothing away.
    const teacher = expectStatus(await run("ucitel"), "ok");
    for (const type of TYPES) expect(teacher.counts[type].deactivated, type).toBe(0);
  });

  it("no field flips when the account's own view shrinks: the public timetable's spellings stand", async ({ run }) => {
    expectStatus(await run("sync-service"), "ok");
    // Half of every list of the account's timetable gone: its teachers, classes and subjects
    // are still the public timetable's, spelled as before.
    await fake.setFaults([{ path: "^/api/3/timetable/", kind: "truncated" }]);
    const o = await run("sync-service");
    await fake.clearFaults();
    const counts = "counts" in o && o.counts ? o.counts : null;
    expect(counts).not.toBeNull();
    for (const type of ["classes", "subjects"] as const) expect(counts![type], type).toMatchObject(zero);
    expect(counts!.users.updated).toBe(0);
    expect(counts!.users.deactivated).toBe(0);
  });

  it("the management account with the public timetable syncs the whole school, and a second run writes nothing", async ({ db, run }) => {
    const o = expectStatus(await run("sync-service"), "ok");
    expect(o.coverage!.catalog.publicTimetable).toBe("read");
    expect(o.coverage!.rosters.classesSubjectsUnverified).toBe(0);
    const whole = expectedView(asRoster(await fake.expected()));
    expect(withoutTeacherNames(await activeView(db))).toEqual(withoutTeacherNames(whole));
    const again = expectStatus(await run("sync-service"), "ok");
    for (const type of TYPES) expect(again.counts[type], type).toMatchObject(zero);
  });
});
