/** The Bakaláři source and the account it signs in with: what each kind of account may read, and what it then takes as seen whole. */
import { describe, expect } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import { fake, sourceTest as it } from "./source-harness";

describe("Bakaláři source and the account it signs in with", () => {
  const lessonRequests = (stats: { requests: { byEndpoint: Record<string, number> } }) =>
    Object.entries(stats.requests.byEndpoint)
      .filter(([endpoint]) => endpoint.includes("/api/3/lesson/"))
      .reduce((n, [, count]) => n + count, 0);

  it("reads who the management account is, once a run, and sees the school whole", async ({ source }) => {
    const roster = await source().read();
    const stats = await fake.stats();
    expect(stats.requests.byEndpoint["GET /api/3/user"]).toBe(1);
    expect(roster.coverage.account.type).toBe("headmastership");
    const classes = roster.classes.map((c) => c.id);
    expect(roster.scope).toMatchObject({ catalogComplete: true, studentsComplete: classes, subjectsComplete: classes, dropped: [] });
    expect(roster.coverage.rosters).toMatchObject({ classes: classes.length, classesRead: classes.length, classesExempt: 0, exempt: [] });
  });

  it.for([
    ["a student", "zak"],
    ["a parent", "rodic"],
  ])(
    "as %s, asks for no class book and no absence list, reads no student, and takes nothing as gone",
    async ([_name, username], { source }) => {
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
    },
  );

  it("as a teacher, reads its own class book but never takes its timetable for the whole school", async ({ source }) => {
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

  it("takes a class book refused with 403 for a question of scope, not of the password: no rosters, a warning, no failure", async ({
    source,
  }) => {
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

  it("fails only the groups of an absence list refused with 403", async ({ withOneAbsenceListAnswering }) => {
    const { roster, failed } = await withOneAbsenceListAnswering(403);
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

  it("goes on when the account's type cannot be read, taking nothing of the catalog as gone", async ({ source }) => {
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
