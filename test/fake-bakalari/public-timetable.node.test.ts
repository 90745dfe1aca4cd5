/**
 * The fake school's public timetable (HTML, no sign-in), against the model: the entry page's
 * lists, the grid pages of classes, teachers and rooms, their dates and holidays, and 404s.
 * Its encoding, the switch that turns it off, faults and counters:
 * public-timetable.switch.node.test.ts.
 */
import { describe, expect, it } from "vitest";
import { dayKind, pragueToday } from "../../dev/fake-bakalari/calendar";
import { mondayOf, renderPublicPage, shortDate } from "../../dev/fake-bakalari/public-timetable-pages";
import { teacherListName } from "../../dev/fake-bakalari/public-timetable-text";

import { DAY, expectedLine, lessons, options, pagePath, rows, servedLine, sorted, useServedSchool } from "./public-timetable-reader";

const { fake, control, school, page } = useServedSchool();

describe("the entry page", () => {
  it("is a full HTML document with the three lists of the school and no grid", async () => {
    const answer = await page("/Timetable/Public");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(answer.text.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(answer.text).toContain("</html>");
    // Scripts hold option- and div-like strings, as real pages hold markup in strings.
    expect(answer.text).toMatch(/<script[^>]*>[\s\S]*'<option value="X">X<\/option>'[\s\S]*'<\/div><\/div>'[\s\S]*<\/script>/);
    expect(answer.text).not.toContain("bk-timetable-row");

    const classes = options(answer.text, "selectedClass")!;
    const teachers = options(answer.text, "selectedTeacher")!;
    const rooms = options(answer.text, "selectedRoom")!;
    for (const list of [classes, teachers, rooms]) expect(list[0]).toEqual({ id: "", text: "", selected: false });
    expect(classes.slice(1)).toEqual([...school.classes.values()].map((c) => ({ id: c.id, text: c.abbrev, selected: false })));
    expect(new Map(teachers.slice(1).map((o) => [o.id, o.text]))).toEqual(
      new Map([...school.teachers.values()].map((t) => [t.id, teacherListName(t)])),
    );
    expect(new Map(rooms.slice(1).map((o) => [o.id, o.text]))).toEqual(new Map([...school.rooms.values()].map((r) => [r.id, r.abbrev])));
    // Ids come byte for byte: class " 6" is " 6".
    expect(classes.map((o) => o.id)).toContain(" 6");
    // Teachers and rooms in Czech alphabetical order.
    const texts = teachers.slice(1).map((o) => o.text);
    expect(texts).toEqual([...texts].sort(new Intl.Collator("cs").compare));
  });

  it("lists teachers as 'Surname Name' without titles", () => {
    expect(teacherListName({ name: "Mgr. Jana Nováková", abbrev: "No" })).toBe("Nováková Jana");
    expect(teacherListName({ name: "Mgr. Jana Nováková, Ph.D.", abbrev: "No" })).toBe("Nováková Jana");
    expect(teacherListName({ name: "PaedDr. et Mgr. Karel Černý DiS.", abbrev: "Čer" })).toBe("Černý Karel");
    expect(teacherListName({ name: "", abbrev: "Há" })).toBe("Há");
    for (const teacher of school.teachers.values()) {
      const text = teacherListName(teacher);
      expect(text).not.toMatch(/\.(\s|$)/);
      if (teacher.name) expect(teacher.name.split(" ").at(-1)).toBe(text.split(" ")[0]);
    }
  });

  it("answers with or without a trailing slash, in any letter case", async () => {
    expect((await page("/Timetable/Public/")).status).toBe(200);
    expect((await page("/timetable/public")).status).toBe(200);
  });
});

describe("grid pages", () => {
  it("a class's permanent page shows every lesson of its groups, on day rows without dates", async () => {
    for (const c of school.classes.values()) {
      const answer = await page(pagePath("Permanent", "Class", c.id));
      expect(answer.status).toBe(200);
      const grid = rows(answer.text);
      expect(grid.map((r) => r.day)).toEqual(["po", "út", "st", "čt", "pá"]);
      expect(grid.every((r) => r.date === null)).toBe(true);
      expect(grid.every((r) => r.cells.length === 10)).toBe(true);
      const atoms = school.atoms.filter((a) => a.groupIds.some((g) => school.groups.get(g)!.classId === c.id));
      expect(sorted(lessons(answer.text).map(servedLine))).toEqual(sorted(atoms.map((a) => expectedLine(school, a, false))));
      // The class is the one selected.
      expect(options(answer.text, "selectedClass")!.filter((o) => o.selected)).toEqual([{ id: c.id, text: c.abbrev, selected: true }]);
      expect(options(answer.text, "selectedTeacher")!.some((o) => o.selected)).toBe(false);
    }
  });

  it("puts simultaneous lessons (split groups) into one cell, one day item each, and labels shared PE with both groups", async () => {
    const c = [...school.classes.values()][0]!;
    const grid = rows((await page(pagePath("Permanent", "Class", c.id))).text);
    const split = grid.flatMap((r) => r.cells).find((cell) => cell.length >= 2)!;
    expect(split).toBeDefined();
    expect(new Set(split.map((l) => l.detail.group)).size).toBe(split.length);
    const pe = grid.flatMap((r) => r.cells.flat()).filter((l) => l.middle === "TV");
    expect(pe.length).toBeGreaterThan(0);
    // Classes 1.A and 1.B have PE together: one lesson, two groups.
    expect(pe.map((l) => l.detail.group)).toContain(`${c.abbrev} TVch, ${[...school.classes.values()][1]!.abbrev} TVch`);
    expect(lessons((await page(pagePath("Permanent", "Class", c.id))).text).map((l) => l.detail.group)).toContain(`${c.abbrev} celá`);
  });

  it("a teacher's page shows its lessons without naming the teacher; a room's page the lessons in it", async () => {
    for (const t of school.teachers.values()) {
      const text = (await page(pagePath("Permanent", "Teacher", t.id))).text;
      const served = lessons(text);
      expect(served.every((l) => l.detail.teacher === null)).toBe(true);
      expect(sorted(served.map(servedLine))).toEqual(
        sorted(school.atoms.filter((a) => a.teacherId === t.id).map((a) => expectedLine(school, a, true))),
      );
      expect(
        options(text, "selectedTeacher")!
          .filter((o) => o.selected)
          .map((o) => o.id),
      ).toEqual([t.id]);
    }
    for (const r of school.rooms.values()) {
      const served = lessons((await page(pagePath("Permanent", "Room", r.id))).text);
      expect(sorted(served.map(servedLine))).toEqual(
        sorted(school.atoms.filter((a) => a.roomId === r.id).map((a) => expectedLine(school, a, false))),
      );
    }
  });

  it("this week's and next week's pages date their days (Prague time) and the lessons' day labels", async () => {
    const teacher = [...school.teachers.values()].find((t) => school.atoms.some((a) => a.teacherId === t.id))!;
    const atoms = school.atoms.filter((a) => a.teacherId === teacher.id);
    for (const week of ["Actual", "Next"] as const) {
      const monday = mondayOf(week, pragueToday());
      const text = (await page(pagePath(week, "Teacher", teacher.id))).text;
      const grid = rows(text);
      expect(grid.map((r) => r.date)).toEqual([0, 1, 2, 3, 4].map((d) => shortDate(monday + d)));
      // The permanent week's lessons, dated, except on a public holiday.
      const workDay = (dow: number) => dayKind(monday + dow - 1, false).type === "WorkDay";
      const expected = atoms
        .filter((a) => workDay(a.dayOfWeek))
        .map((a) => expectedLine(school, a, true, `${DAY[a.dayOfWeek]} ${shortDate(monday + a.dayOfWeek - 1)}`));
      expect(sorted(lessons(text).map(servedLine))).toEqual(sorted(expected));
    }
    expect(shortDate(Date.UTC(2025, 10, 10) / 86_400_000)).toBe("10.11.");
  });

  it("a public holiday in the week has no lessons and is named (Christmas week 2026)", () => {
    const c = [...school.classes.values()][0]!;
    const today = Date.UTC(2026, 11, 23) / 86_400_000; // Wednesday 23 December 2026
    const text = renderPublicPage(school, "on", { week: "Actual", kind: "Class", id: c.id }, today);
    const grid = rows(text);
    expect(grid.map((r) => r.date)).toEqual(["21.12.", "22.12.", "23.12.", "24.12.", "25.12."]);
    expect(grid[3]!.cells.flat()).toEqual([]);
    expect(grid[4]!.cells.flat()).toEqual([]);
    expect(grid[0]!.cells.flat().length).toBeGreaterThan(0);
    expect(text).toContain("<span>Štědr&#253; den</span>");
    expect(text).toContain("<span>1. sv&#225;tek v&#225;nočn&#237;</span>");
  });

  it("in the summer holidays this week's page has no lessons, and says why; the permanent one is unchanged", async () => {
    await control.change({ op: "holidays", on: true });
    const c = [...school.classes.values()][0]!;
    const actual = (await page(pagePath("Actual", "Class", c.id))).text;
    expect(lessons(actual)).toEqual([]);
    expect(actual).toContain("Hlavn&#237; pr&#225;zdniny");
    expect(lessons((await page(pagePath("Permanent", "Class", c.id))).text).length).toBeGreaterThan(0);
  });

  it("answers 404 (HTML) for an unknown kind, week or id, and for other paths under /Timetable", async () => {
    const c = [...school.classes.values()][0]!;
    for (const path of [
      pagePath("Permanent", "Student", c.id),
      pagePath("Yesterday", "Class", c.id),
      pagePath("Permanent", "Class", "NOPE"),
      pagePath("Permanent", "Teacher", c.id),
      `/Timetable/Public/Permanent/Class`,
      `/Timetable/Public/Permanent/Class/${encodeURIComponent(c.id)}/extra`,
      "/Timetable",
      "/Timetable/Private",
      "/Timetable/Public/Permanent/Class/%E0%A4%A",
    ]) {
      const answer = await page(path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get("content-type"), path).toBe("text/html; charset=utf-8");
      expect(answer.text, path).toContain("<!DOCTYPE html>");
    }
    // Ids are exact: " 6" is not "6".
    expect((await page(pagePath("Permanent", "Class", " 6"))).status).toBe(200);
    expect((await page(pagePath("Permanent", "Class", "6"))).status).toBe(404);
    // Path words in any letter case.
    expect((await page(`/timetable/public/permanent/class/${encodeURIComponent(c.id)}`)).status).toBe(200);
    expect((await fetch(`${fake.url}/Timetable/Public`, { method: "POST" })).status).toBe(404);
  });
});
