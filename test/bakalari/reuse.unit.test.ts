/**
 * Rosters kept from earlier reads (incremental cron ticks), in the pure assembly: what a
 * kept roster counts for, and how it gives way to one read now.
 */
import { describe, expect, it } from "vitest";
import { assembleRoster, rosterLessons, type AbsenceResult } from "../../src/bakalari/assemble";
import { buildCatalog } from "../../src/bakalari/catalog";
import { ROSTER_WARNING } from "../../src/codes";
import type { KeptRoster } from "../../src/bakalari/roster-store";
import { parseAbsenceList, parseClassbook, parseTimetable } from "../../src/bakalari/schemas";
import { absences, classbook, timetable } from "./fixtures";

const KEPT_AT = new Date("2026-03-09T07:00:00Z");

/** Class 1.B ("6") read now, with S2 (moved there from 1.A) in its lesson; 1.A's rosters kept from before the move. */
function assembleWithKept(moved: boolean) {
  const tt = parseTimetable(JSON.stringify(timetable()), "GET /api/3/timetable/permanent").value;
  const cb = parseClassbook(JSON.stringify(classbook()), "GET /api/3/classbook").value;
  const catalog = buildCatalog(tt, cb);
  const all = rosterLessons(catalog, cb);
  const lessons = all.filter((l) => l.lessonId === "L3");
  const abs = absences() as Record<string, { AbsencesGroups: { StudentsAbsences: unknown[] }[] }>;
  if (moved)
    abs.L3!.AbsencesGroups[0]!.StudentsAbsences.push({
      Student: { Id: "S2", Abbrev: "S2", Name: "", RegistrationNumber: 3, IsAdult: false },
    });
  const results = new Map<string, AbsenceResult>([
    ["L3", { ok: true, list: parseAbsenceList(JSON.stringify(abs.L3), "GET /api/3/lesson/L3/absence").value }],
  ]);
  const member = (id: string, name: string) => ({ id, name, abbrev: "" });
  const reused = new Map<string, KeptRoster>([
    [
      "G1",
      {
        groupId: "G1",
        classId: " 6",
        members: [member(" 1", "Anna Dvořáková"), member("1", "Jan Novák"), member("S2", "")],
        readAt: KEPT_AT,
      },
    ],
    ["G1-en1", { groupId: "G1-en1", classId: " 6", members: [member(" 1", "Anna Dvořáková")], readAt: KEPT_AT }],
  ]);
  return assembleRoster({ userType: "headmastership", catalog, classbook: cb, lessons, absences: results, dropped: [], reused });
}

describe("rosters kept from earlier reads", () => {
  it("count as read for the coverage, with the oldest kept read time, and their pupils are in the snapshot", () => {
    const roster = assembleWithKept(false);
    expect(roster.coverage.rosters).toMatchObject({
      groupsRead: 2,
      groupsReused: 2,
      oldestReusedAt: KEPT_AT.toISOString(),
      classesRead: 2,
    });
    expect(roster.students.map((s) => s.id).sort()).toEqual([" 1", "1", "S2", "S3", "S4"]);
    expect(roster.groups.find((g) => g.id === "G1")!.roster).toMatchObject({ status: "read", reusedFrom: KEPT_AT.toISOString() });
  });

  it("give way to a roster read now: a pupil who moved is in the new class at once, without a two-classes warning", () => {
    const roster = assembleWithKept(true);
    expect(roster.students.find((s) => s.id === "S2")!.classId).toBe("6");
    expect(roster.warnings.map((w) => w.code)).not.toContain(ROSTER_WARNING.studentInTwoClasses);
    // Their enrollments are the new class's; none comes from the kept rosters of the old one.
    const classes = new Set(roster.studentEnrollments.filter((e) => e.userId === "S2").map((e) => e.classId));
    expect(classes).toEqual(new Set(["6"]));
  });
});
