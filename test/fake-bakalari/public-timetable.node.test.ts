/**
 * The fake school's public timetable (HTML, no sign-in): its routes and 404s, the lists
 * and lessons against the model, the encoding of the documented samples, the switch that
 * turns it off, faults on its paths, and the request counters.
 *
 * Pages are read here with a few regular expressions that fit the fake's own markup; the
 * Worker's HTMLRewriter reader is tested in test/bakalari/public-timetable.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dayKind, pragueToday } from "../../dev/fake-bakalari/calendar";
import type { FakeControl, PublicTimetableMode } from "../../dev/fake-bakalari/control";
import type { Atom, School } from "../../dev/fake-bakalari/model";
import { mondayOf, renderPublicPage, shortDate } from "../../dev/fake-bakalari/public-timetable-pages";
import { detailAttribute, htmlEncode, teacherListName } from "../../dev/fake-bakalari/public-timetable-text";
import { generateSchool } from "../../dev/fake-bakalari/school-generation";
import type { FakeBakalari } from "../../dev/fake-bakalari/server";
import { decodeCharacterReferences } from "../../src/bakalari/character-references";
import { get, startSchool, type Served } from "./support";

let fake: FakeBakalari;
let control: FakeControl;
/** The same school the server holds after a reset: generated from the same parameters. */
let school: School;

beforeAll(async () => {
  ({ fake, control } = await startSchool({ seed: 5 }));
});
beforeEach(async () => {
  school = generateSchool((await control.reset()).params);
});
afterAll(async () => fake?.close());

const page = (path: string) => get(fake.url, path);
const pagePath = (week: string, kind: string, id: string) => `/Timetable/Public/${week}/${kind}/${encodeURIComponent(id)}`;

// ---------------------------------------------------------------------------
// A reader for the fake's own markup

type Option = { id: string; text: string; selected: boolean };

/** The options of `<select id="…">`, decoded; null when the page has no such select. */
function options(html: string, listId: string): Option[] | null {
  const select = new RegExp(`<select id="${listId}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!select) return null;
  return [...select[1]!.matchAll(/<option( value="([^"]*)")?( selected="selected")?>([\s\S]*?)<\/option>/g)].map((m) => ({
    id: m[2] === undefined ? "" : decodeCharacterReferences(m[2]),
    text: decodeCharacterReferences(m[4]!).replace(/\s+/g, " ").trim(),
    selected: m[3] !== undefined,
  }));
}

type Detail = { type: string; subjecttext: string; teacher: string | null; room: string; group: string } & Record<string, unknown>;
type ServedLesson = { detail: Detail; rawDetail: string; middle: string };

/** The `.day-item`s of a page: the raw data-detail, its JSON (values decoded) and the `.middle`. */
function lessons(html: string): ServedLesson[] {
  const items = html.split('<div class="day-item" ').slice(1);
  return items.map((item) => {
    const raw = /<div class="day-item-hover" data-detail='([^']*)'>/.exec(item)?.[1];
    if (raw === undefined) throw new Error(`a day item without data-detail: ${item.slice(0, 200)}`);
    // Values are encoded one by one, so the JSON parses first and its strings decode after.
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const detail = Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === "string" ? decodeCharacterReferences(v) : v]),
    ) as Detail;
    const middle = decodeCharacterReferences(/<div class="middle">([^<]*)<\/div>/.exec(item)![1]!);
    return { detail, rawDetail: raw, middle };
  });
}

/** The rows of a grid page: the day label, the date (or null) and the lessons of each cell. */
function rows(html: string): { day: string; date: string | null; cells: ServedLesson[][] }[] {
  return html
    .split('<div class="d-flex flex-row bk-timetable-row">')
    .slice(1)
    .map((row) => ({
      day: decodeCharacterReferences(/<span class="bk-day-day">([^<]*)<\/span>/.exec(row)![1]!),
      date: /<span class="bk-day-date">([^<]*)<\/span>/.exec(row)?.[1] ?? null,
      cells: row.split('<div class="bk-timetable-cell"').slice(1).map(lessons),
    }));
}

// ---------------------------------------------------------------------------
// The model, read independently of the fake's renderer

const DAY = ["ne", "po", "út", "st", "čt", "pá", "so"];
const HOUR_TEXT: Record<number, string> = {
  2: "1 (8:00 - 8:45)",
  3: "2 (8:55 - 9:40)",
  4: "3 (10:00 - 10:45)",
  5: "4 (10:55 - 11:40)",
  6: "5 (11:50 - 12:35)",
  7: "6 (12:45 - 13:30)",
  8: "7 (13:40 - 14:25)",
  9: "8 (14:35 - 15:20)",
};

function labelOf(atom: Atom): string {
  return atom.groupIds
    .map((id) => {
      const group = school.groups.get(id)!;
      return group.kind === "whole" ? `${school.classes.get(group.classId)!.abbrev} celá` : group.abbrev;
    })
    .join(", ");
}

/** What a page must show for an atom, as one comparable line. */
function expectedLine(atom: Atom, ownTeacherPage: boolean, dayLabel = DAY[atom.dayOfWeek]!): string {
  const subject = school.subjects.get(atom.subjectId)!;
  const teacher = school.teachers.get(atom.teacherId)!;
  return JSON.stringify([
    `${subject.name || subject.abbrev} | ${dayLabel} | ${HOUR_TEXT[atom.hourId]}`,
    subject.abbrev,
    labelOf(atom),
    ownTeacherPage ? null : teacher.name || teacher.abbrev,
    atom.roomId === "" ? "" : school.rooms.get(atom.roomId)!.abbrev,
  ]);
}

const servedLine = (l: ServedLesson) => JSON.stringify([l.detail.subjecttext, l.middle, l.detail.group, l.detail.teacher, l.detail.room]);
const sorted = (lines: string[]) => [...lines].sort();

// ---------------------------------------------------------------------------

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
      expect(sorted(lessons(answer.text).map(servedLine))).toEqual(sorted(atoms.map((a) => expectedLine(a, false))));
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
        sorted(school.atoms.filter((a) => a.teacherId === t.id).map((a) => expectedLine(a, true))),
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
        sorted(school.atoms.filter((a) => a.roomId === r.id).map((a) => expectedLine(a, false))),
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
        .map((a) => expectedLine(a, true, `${DAY[a.dayOfWeek]} ${shortDate(monday + a.dayOfWeek - 1)}`));
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

describe("encoding", () => {
  it("writes U+00A0..U+00FF as &#NNN;, other letters raw, as the documented samples do", async () => {
    const teacher = [...school.teachers.values()].find(
      (t) => /[čřšžěůňťď]/i.test(t.name) && school.atoms.some((a) => a.teacherId === t.id),
    );
    const c = [...school.classes.values()][0]!;
    for (const path of ["/Timetable/Public", pagePath("Permanent", "Class", c.id), pagePath("Actual", "Class", c.id)]) {
      const text = (await page(path)).text;
      expect(text, path).not.toMatch(/[\u00a0-\u00ff]/);
      expect(text, path).toMatch(/[čřšžěůňťďČŘŠŽ]/);
      expect(text, path).toContain("Tř&#237;da");
    }
    for (const path of ["/login", pagePath("Permanent", "Class", "NOPE")])
      expect((await page(path)).text, path).not.toMatch(/[\u00a0-\u00ff]/);
    const grid = (await page(pagePath("Permanent", "Class", c.id))).text;
    expect(grid).toContain('<span class="bk-day-day">&#250;t</span>');
    expect(grid).toContain('<span class="bk-day-day">čt</span>');
    expect(grid).toContain(`"group":"${c.abbrev} cel&#225;"`);
    if (teacher) expect((await page("/Timetable/Public")).text).toContain(`>${htmlEncode(teacherListName(teacher))}</option>`);
    await control.publicTimetable("serverError");
    expect((await page("/Timetable/Public")).text).not.toMatch(/[\u00a0-\u00ff]/);
  });

  it("encodes each value of data-detail and & < > \" ' everywhere, so the JSON fits between single quotes", async () => {
    const taught = school.atoms.find((a) => school.groups.get(a.groupIds[0]!)!.kind === "whole")!;
    const name = `Seminář "Fyzika" & 'Chemie' <1> ÿ\\`;
    await control.change({ op: "renameSubject", subjectId: taught.subjectId, name });
    const classId = school.groups.get(taught.groupIds[0]!)!.classId;
    const text = (await page(pagePath("Permanent", "Class", classId))).text;
    const raw = `Semin&#225;ř &quot;Fyzika&quot; &amp; &#39;Chemie&#39; &lt;1&gt; &#255;\\\\`;
    expect(text).toContain(`"subjecttext":"${raw} | `);
    const renamed = lessons(text).filter((l) => l.rawDetail.includes(raw));
    expect(renamed.length).toBeGreaterThan(0);
    for (const l of renamed) expect(l.detail.subjecttext.startsWith(`${name} | `)).toBe(true);

    expect(htmlEncode(`a&b<c>d"e'f\u00a0g\u00ffhČ€`)).toBe("a&amp;b&lt;c&gt;d&quot;e&#39;f&#160;g&#255;hČ€");
    expect(detailAttribute({ type: "atom", teacher: null, group: "Z9.A celá", n: 1 })).toBe(
      '{"type":"atom","teacher":null,"group":"Z9.A cel&#225;","n":1}',
    );
  });

  it("keeps option values byte for byte, encoded only where they must be", async () => {
    const text = (await page("/Timetable/Public")).text;
    expect(text).toContain('<option value=" 6">');
    const padded = [...school.teachers.keys()].find((id) => / /.test(id));
    if (padded) expect(text).toContain(`<option value="${padded}">`);
  });
});

describe("the switch", () => {
  const modes: PublicTimetableMode[] = ["on", "loginRedirect", "notFound", "serverError", "emptyLists", "unrecognised"];

  it("answers the mode, takes each one, refuses others, and a reset turns the timetable back on", async () => {
    expect(await control.publicTimetableMode()).toEqual({ mode: "on" });
    for (const mode of modes) {
      expect(await control.publicTimetable(mode)).toEqual({ ok: true, mode });
      expect(await control.publicTimetableMode()).toEqual({ mode });
    }
    await expect(control.publicTimetable("off" as PublicTimetableMode)).rejects.toMatchObject({ status: 400 });
    const bad = await fetch(`${fake.url}/_fake/public-timetable`, { method: "POST", body: "{" });
    expect(bad.status).toBe(400);
    await control.reset();
    expect(await control.publicTimetableMode()).toEqual({ mode: "on" });
  });

  it("loginRedirect: every page redirects to the login form, which has no lists", async () => {
    await control.publicTimetable("loginRedirect");
    const c = [...school.classes.values()][0]!;
    for (const path of ["/Timetable/Public", pagePath("Permanent", "Class", c.id), `${pagePath("Next", "Class", c.id)}?x=1`]) {
      const answer = await fetch(`${fake.url}${path}`, { redirect: "manual" });
      expect(answer.status).toBe(302);
      expect(answer.headers.get("location")).toBe(`/login?ReturnUrl=${encodeURIComponent(path)}`);
      await answer.body?.cancel();
    }
    const followed = await fetch(`${fake.url}/Timetable/Public`);
    expect(followed.status).toBe(200);
    expect(new URL(followed.url).pathname).toBe("/login");
    const form = await followed.text();
    expect(form).toContain('<input id="password" name="password" type="password"');
    expect(form).toContain('value="/Timetable/Public"');
    expect(form).not.toContain("<select");
    expect(form).not.toContain("day-item");
  });

  it("notFound and serverError: 404 and 500 HTML pages", async () => {
    await control.publicTimetable("notFound");
    expect((await page("/Timetable/Public")).status).toBe(404);
    await control.publicTimetable("serverError");
    const answer = await page(pagePath("Permanent", "Class", " 6"));
    expect(answer.status).toBe(500);
    expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
    // The login page stays up whatever the switch says.
    expect((await page("/login")).status).toBe(200);
  });

  it("emptyLists: the lists hold only the empty option and the pages no lesson", async () => {
    await control.publicTimetable("emptyLists");
    for (const path of [
      "/Timetable/Public",
      pagePath("Permanent", "Class", " 6"),
      pagePath("Actual", "Teacher", [...school.teachers.keys()][0]!),
    ]) {
      const answer = await page(path);
      expect(answer.status).toBe(200);
      for (const id of ["selectedClass", "selectedTeacher", "selectedRoom"])
        expect(options(answer.text, id)).toEqual([{ id: "", text: "", selected: false }]);
      expect(answer.text).not.toContain('<div class="day-item" ');
    }
    expect(rows((await page(pagePath("Permanent", "Class", " 6"))).text)).toHaveLength(5);
  });

  it("unrecognised: 200 pages without the documented selects, lesson cells without data-detail", async () => {
    await control.publicTimetable("unrecognised");
    const answer = await page(pagePath("Permanent", "Class", " 6"));
    expect(answer.status).toBe(200);
    for (const id of ["selectedClass", "selectedTeacher", "selectedRoom"]) expect(options(answer.text, id)).toBeNull();
    expect(answer.text).toContain("<select");
    const items = answer.text.split('<div class="day-item" ').slice(1);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item).toContain("day-item-hover");
      expect(item.split("</div>\n        </div>")[0]).not.toContain("data-detail");
    }
  });
});

describe("faults and counters", () => {
  it("fault rules apply to /Timetable paths: status, latency, reset, a cut page", async () => {
    await control.setFaults([{ path: "^/Timetable/Public$", kind: "status", status: 503, times: 1 }]);
    expect((await page("/Timetable/Public")).status).toBe(503);
    expect((await page("/Timetable/Public")).status).toBe(200);

    await control.setFaults([{ path: "^/Timetable/", kind: "latency", ms: 300, times: 1 }]);
    const started = Date.now();
    expect((await page("/Timetable/Public")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    await control.setFaults([{ path: "^/Timetable/", kind: "reset", times: 1 }]);
    await expect(fetch(`${fake.url}/Timetable/Public`)).rejects.toBeInstanceOf(TypeError);
    expect((await page("/Timetable/Public")).status).toBe(200);

    await control.setFaults([{ path: "^/Timetable/", kind: "truncated", times: 1 }]);
    const cut: Served = await page("/Timetable/Public");
    expect(cut.status).toBe(200);
    expect(cut.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(cut.text.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(cut.text).not.toContain("</html>");
    expect((await control.faults()).rules[0]).toMatchObject({ hits: 1, remaining: 0 });
  });

  it("counts every request by route, faulted ones included, and never /_fake/", async () => {
    const [first, second] = [...school.teachers.keys()];
    await page("/Timetable/Public");
    await page(pagePath("Permanent", "Teacher", first!));
    await page(pagePath("Permanent", "Teacher", second!));
    await page(`/timetable/public/permanent/teacher/${encodeURIComponent(first!)}`);
    await page(pagePath("Actual", "Class", " 6"));
    await page(pagePath("Next", "Room", "NOPE"));
    await control.setFaults([{ path: "^/Timetable/Public$", kind: "status", times: 1 }]);
    await page("/Timetable/Public");
    await control.publicTimetable("loginRedirect");
    await page("/Timetable/Public"); // followed to /login
    await control.publicTimetableMode();
    const stats = await control.stats();
    expect(stats.requests.byEndpoint).toEqual({
      "GET /Timetable/Public": 3,
      "GET /Timetable/Public/Permanent/Teacher/:id": 3,
      "GET /Timetable/Public/Actual/Class/:id": 1,
      "GET /Timetable/Public/Next/Room/:id": 1,
      "GET /login": 1,
    });
    expect(stats.requests.total).toBe(9);
  });
});
