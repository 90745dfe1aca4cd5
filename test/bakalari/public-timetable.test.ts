/**
 * The public timetable reader (src/bakalari/public-timetable.ts) inside workerd, with the
 * runtime's own HTMLRewriter: hand-written pages shaped like the documented samples
 * (bakalari-api-v3 priklady/options.html and priklady/day.html), then the fake school's
 * pages held against its model (/_fake/expected).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fakeControl, type ExpectedRoster } from "../../dev/fake-bakalari/control";
import { decodeCharacterReferences } from "../../src/bakalari/character-references";
import { createHttpClient } from "../../src/bakalari/http";
import { parsePublicPage, type PublicLesson, type PublicOption } from "../../src/bakalari/public-timetable";
import { PUBLIC_ENTRY_PATH, readPublicView } from "../../src/bakalari/public-view";

// ---------------------------------------------------------------------------
// Pages in the shape of the samples (not copies of them)

/** The lists, as priklady/options.html has them: an empty first option, references for á and í, č raw, a selected option on three lines. */
const LISTS = `
<div class="bk-timetable-selects">
  <div class="d-inline-flex m-1 position-relative">
    <span class="bk-timetable-label pl-0">Tř&#237;da</span>
    <select id="selectedClass" class="custom-select" onchange="changeClass()">
      <option></option>
      <option value="1F">Z9.A</option>
      <option value="2E">G5B</option>
      <option value=" 6">Z6.&#160;B  </option>
    </select>
  </div>
  <div class="d-inline-flex m-1 position-relative">
    <span class="bk-timetable-label">Učitel</span>
    <select id="selectedTeacher" class="custom-select" onchange="changeTeacher()">
      <option></option>
      <option value="UYZJL">Adam Nekolov&#225; Iveta</option>
      <option value="UWZIS" selected="selected">
        Adamč&#237;kov&#225; Gabriela
      </option>
      <option value="UZ64I">Bartošek Kryštof</option>
      <option value="U  12">Čern&#225; Zdena</option>
      <option value="U 12">Čern&#225;
        Zdena</option>
      <option value="&#85;&#x20;7">Hor&#225;kov&#225; Trtkov&#225; Marie Anna</option>
    </select>
  </div>
  <div class="d-inline-flex m-1 position-relative">
    <span class="bk-timetable-label">M&#237;stnost</span>
    <select id="selectedRoom" class="custom-select" onchange="changeRoom()">
      <option></option>
      <option value="G0">401</option>
      <option value="R&amp;D">Lab &amp; d&#237;lna</option>
      <option value="">nic</option>
      <option>bez hodnoty</option>
    </select>
  </div>
</div>`;

/** A script that holds lists and lessons in strings, and a comment that holds a list: neither is markup. */
const SCRIPT = `
<script type="text/javascript">
  var list = '<select id="selectedTeacher"><option value="SCRIPT">Ze skriptu</option></select>';
  var cell = '<div class="day-item"><div class="day-item-hover" data-detail=\\'{"type":"atom","subjecttext":"Skript | po | 1"}\\'><div class="middle">SK</div></div></div>';
  if (a < b && c > d) { document.write("</div></div>"); }
</script>
<!-- <select id="selectedRoom"><option value="COMMENT">Koment&#225;ř</option></select> -->`;

const page = (body: string, head = SCRIPT) => `<!DOCTYPE html>
<html lang="cs">
<head><meta charset="utf-8"><title>Rozvrh</title>${head}</head>
<body>
${body}
${SCRIPT}
</body>
</html>`;

const hover = (detail: string, middle: string, quote = "'") => `
      <div class="day-item" data-testid="timetable-day-item">
        <div class="day-item-hover" data-detail=${quote}${detail}${quote}>
          <div class="day-flex">
            <div class="top clearfix"><div class="left roll-vertical top-hide"><div>?</div></div></div>
            ${middle}
            <div class="bottom"><span></span></div>
          </div>
        </div>
      </div>`;

const tail = `"theme":"","notice":"","changeinfo":"","homeworks":null,"absencetext":null,"hasAbsent":false,"absentInfoText":""`;

/** One day, as priklady/day.html has it: lessons, an empty cell, split groups in one cell, a supervision that is no lesson. */
const DAY = `
<div id="main" class="bk-timetable-main" translate="no">
  <div class="d-flex flex-row bk-timetable-row">
    <div class="bk-timetable-day day-name"><div class="bk-day-wrapper"><div>
      <span class="bk-day-day">po</span>
      <span class="bk-day-date">10.11.</span>
    </div></div></div>
    <div class="bk-cell-wrapper">
      <div class="bk-timetable-cell" style="left: 3.17%; width: 7.94%"></div>
      <div class="bk-timetable-cell" style="left: 12.7%; width: 7.94%">${hover(
        `{"type":"atom","subjecttext":"Občansk&#225; v&#253;chova | po 10.11. | 2 (8:55 - 9:40)","teacher":"Mgr. Jana Nov&#225;kov&#225;, Ph.D.","room":"401","group":"Z9.A cel&#225;",${tail}}`,
        `<div class="middle">OV</div>`,
      )}
      </div>
      <div class="bk-timetable-cell" style="left: 41.27%; width: 7.94%">${hover(
        `{"type":"atom","subjecttext":"Německ&#253; jazyk | po 10.11. | 5 (11:55 - 12:40)","teacher":null,"room":"406","group":"G5B 5BNj",${tail}}`,
        `<div class="middle zapsano"> N<span>j</span>
            </div>`,
      )}${hover(
        `{"type":"atom","subjecttext":"Konverzace | angličtina | po 10.11. | 5 (11:55 - 12:40)","teacher":"","room":"","group":"G5B 5BAj",${tail}}`,
        `<div class="middle">KA</div>`,
      )}
      </div>
      <div class="bk-timetable-guard bk-timetable-pauseGuard" style="left: 11.11%; width: 1.59%"
        data-detail='{"day":"po","name":"1.patro","begin":"08:45","end":"08:55","info":""}'><span>1.PD</span></div>
    </div>
  </div>
</div>`;

const OV: PublicLesson = {
  subjectAbbrev: "OV",
  subjectName: "Občanská výchova",
  group: "Z9.A celá",
  teacher: "Mgr. Jana Nováková, Ph.D.",
  room: "401",
};
const NJ: PublicLesson = { subjectAbbrev: "Nj", subjectName: "Německý jazyk", group: "G5B 5BNj", teacher: null, room: "406" };
const KA: PublicLesson = { subjectAbbrev: "KA", subjectName: "Konverzace | angličtina", group: "G5B 5BAj", teacher: null, room: null };

describe("the documented samples", () => {
  it("reads the three lists: ids byte for byte, text decoded and trimmed, the empty option skipped", async () => {
    const parsed = await parsePublicPage(page(LISTS));
    expect(parsed.hasLists).toBe(true);
    expect(parsed.classes).toEqual<PublicOption[]>([
      { id: "1F", text: "Z9.A" },
      { id: "2E", text: "G5B" },
      { id: " 6", text: "Z6. B" },
    ]);
    expect(parsed.teachers).toEqual<PublicOption[]>([
      { id: "UYZJL", text: "Adam Nekolová Iveta" },
      { id: "UWZIS", text: "Adamčíková Gabriela" },
      { id: "UZ64I", text: "Bartošek Kryštof" },
      { id: "U  12", text: "Černá Zdena" },
      { id: "U 12", text: "Černá Zdena" },
      { id: "U 7", text: "Horáková Trtková Marie Anna" },
    ]);
    expect(parsed.rooms).toEqual<PublicOption[]>([
      { id: "G0", text: "401" },
      { id: "R&D", text: "Lab & dílna" },
    ]);
    // Nothing from the scripts or the comment.
    expect(JSON.stringify(parsed)).not.toMatch(/SCRIPT|COMMENT|Skript/);
    expect(parsed.lessons).toEqual([]);
    expect(parsed.unreadableCells).toBe(0);
  });

  it("reads the lessons of a day: decoded details, the abbreviation from .middle, simultaneous groups apart", async () => {
    const parsed = await parsePublicPage(page(LISTS + DAY));
    expect(parsed.lessons).toEqual([OV, NJ, KA]);
    expect(parsed.unreadableCells).toBe(0);
    expect(parsed.teachers).toHaveLength(6);
  });

  it("a page without the lists has none; a page with empty lists has them, empty", async () => {
    const bare = await parsePublicPage(page(DAY));
    expect(bare).toMatchObject({ hasLists: false, classes: [], teachers: [], rooms: [] });
    expect(bare.lessons).toHaveLength(3);

    const one = await parsePublicPage(page(`<select id="selectedClass"><option></option><option value="1F">Z9.A</option></select>`));
    expect(one.hasLists).toBe(false);
    expect(one.classes).toEqual([{ id: "1F", text: "Z9.A" }]);

    const empty = ["selectedClass", "selectedTeacher", "selectedRoom"]
      .map((id) => `<select id="${id}"><option></option></select>`)
      .join("\n");
    expect(await parsePublicPage(page(empty))).toEqual({
      classes: [],
      teachers: [],
      rooms: [],
      lessons: [],
      unreadableCells: 0,
      hasLists: true,
    });

    expect(await parsePublicPage("")).toEqual({ classes: [], teachers: [], rooms: [], lessons: [], unreadableCells: 0, hasLists: false });
  });

  it("counts what looks like a lesson but cannot be read, and ignores other kinds of detail", async () => {
    const cells = [
      hover(`{"type":"atom","subjecttext":"Matematika | po | 1 (8:00 - 8:45)"`, `<div class="middle">M</div>`), // cut JSON
      `<div class="day-item"><div class="day-item-hover"><div class="middle">M</div></div></div>`, // no data-detail
      hover(`{"type":"atom","subjecttext":"Matematika | po | 1 (8:00 - 8:45)","group":"Z9.A cel&#225;"}`, ``), // no .middle
      hover(`{"type":"atom","subjecttext":"Matematika | po | 1 (8:00 - 8:45)","group":"Z9.A cel&#225;"}`, `<div class="middle"> </div>`), // empty .middle
      hover(`{"type":"atom","teacher":"Mgr. X"}`, `<div class="middle">M</div>`), // no subjecttext
      hover(`[1,2]`, `<div class="middle">M</div>`), // not an object
      `<div class="day-item"><div class="day-flex"><div class="middle">M</div></div></div>`, // a day item with no hover at all
      hover(`{"type":"removed","subjecttext":"Fyzika | po | 2 (8:55 - 9:40)"}`, `<div class="middle">F</div>`), // not a lesson: ignored
      hover(`{"subjecttext":"Fyzika | po | 3 (10:00 - 10:45)","group":"G5B cel&#225;","room":"102"}`, `<div class="middle">F</div>`), // no type: a lesson
    ];
    const parsed = await parsePublicPage(
      page(`<div class="bk-timetable-row"><div class="bk-timetable-cell">${cells.join("\n")}</div></div>`),
    );
    expect(parsed.unreadableCells).toBe(7);
    expect(parsed.lessons).toEqual([{ subjectAbbrev: "F", subjectName: "Fyzika", group: "G5B celá", teacher: null, room: "102" }]);
  });

  it("reads a detail whose values were encoded one by one (a quote as &quot;) or as a whole (in a double-quoted attribute)", async () => {
    const perValue = hover(
      `{"type":"atom","subjecttext":"Semin&#225;ř &quot;Fyzika&quot; &amp; &#39;Chemie&#39; &lt;1&gt; \\\\ | po | 1 (8:00 - 8:45)","teacher":"Ing. Petr Dvoř&#225;k","room":"Lab","group":"G5B cel&#225;"}`,
      `<div class="middle">SF</div>`,
    );
    const whole = hover(
      `{&quot;type&quot;:&quot;atom&quot;,&quot;subjecttext&quot;:&quot;Chemie \\&quot;A\\&quot; | po | 2 (8:55 - 9:40)&quot;,&quot;teacher&quot;:null,&quot;room&quot;:&quot;Lab&quot;,&quot;group&quot;:&quot;G5B cel&#225;&quot;}`,
      `<div class="middle">CH</div>`,
      '"',
    );
    const parsed = await parsePublicPage(page(perValue + whole));
    expect(parsed.unreadableCells).toBe(0);
    expect(parsed.lessons.map((l) => [l.subjectAbbrev, l.subjectName, l.teacher])).toEqual([
      ["SF", `Seminář "Fyzika" & 'Chemie' <1> \\`, "Ing. Petr Dvořák"],
      ["CH", `Chemie "A"`, null],
    ]);
  });

  it("reads options and lessons however the text is split: unclosed options, nested elements, long pages", async () => {
    const unclosed = `<select id="selectedClass"><option><option value="A1">Z9.<b>A</b><option value="B2">G5&#66;</select>`;
    const padding = `<p>${"výplň ".repeat(20_000)}</p>`;
    const parsed = await parsePublicPage(page(padding + unclosed + padding + DAY));
    expect(parsed.classes).toEqual([
      { id: "A1", text: "Z9.A" },
      { id: "B2", text: "G5B" },
    ]);
    expect(parsed.lessons).toEqual([OV, NJ, KA]);
  });
});

describe("ids the public lists give", () => {
  /** readPublicView against one entry page, served by a fetch that answers nothing else. */
  const readEntry = (html: string) =>
    readPublicView(
      createHttpClient("http://school.test", async (input) =>
        new URL(String(input instanceof Request ? input.url : input)).pathname === PUBLIC_ENTRY_PATH
          ? new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } })
          : new Response("not here", { status: 404 }),
      ),
    );

  it.each([
    ["a class id holding the | that joins an enrollment's ids", "1F", "1|F"],
    ["a teacher id of 129 characters", "UYZJL", "U".repeat(129)],
  ])("makes the read unusable for %s, rather than leaving that record out", async (_, from, to) => {
    const read = await readEntry(page(LISTS.replace(`value="${from}"`, `value="${to}"`)));
    expect(read).toEqual({ ok: false, reason: expect.stringContaining("1 class or teacher id(s) that are not usable") });
  });
});

describe("decodeCharacterReferences", () => {
  it("decodes numeric and common named references once; unknown ones stay", () => {
    expect(decodeCharacterReferences("Občansk&#225; v&#253;chova")).toBe("Občanská výchova");
    expect(decodeCharacterReferences("&#xE1;&#XE1;&#x010D;")).toBe("ááč");
    expect(decodeCharacterReferences("&amp;lt; &lt;&gt;&quot;&apos;&#39;")).toBe(`&lt; <>"''`);
    expect(decodeCharacterReferences("a&nbsp;b")).toBe("a\u00a0b");
    expect(decodeCharacterReferences("&ccaron;&Rcaron;&scaron;&uring;&ndash;&hellip;")).toBe("čŘšů–…");
    expect(decodeCharacterReferences("&unknown; &amp &#; &#x; & ;")).toBe("&unknown; &amp &#; &#x; & ;");
    expect(decodeCharacterReferences("&#0;&#xD800;&#1114112;&#150;")).toBe("\ufffd\ufffd\ufffd–");
    expect(decodeCharacterReferences("Č ř raw")).toBe("Č ř raw");
    expect(decodeCharacterReferences("&constructor; &toString;")).toBe("&constructor; &toString;");
  });
});

// ---------------------------------------------------------------------------
// The fake school's pages

const FAKE = inject("fakeBakalariUrl");
const control = fakeControl(FAKE);
let expected: ExpectedRoster;

async function fetchPage(path: string): Promise<{ status: number; html: string }> {
  const response = await fetch(`${FAKE}${path}`);
  return { status: response.status, html: await response.text() };
}

async function readPage(path: string) {
  const { status, html } = await fetchPage(path);
  expect(status, path).toBe(200);
  return parsePublicPage(html);
}

const pagePath = (kind: "Class" | "Teacher" | "Room", id: string, week = "Permanent") =>
  `/Timetable/Public/${week}/${kind}/${encodeURIComponent(id)}`;

/** The classes a group label names ("1.A celá", "1.A AJ1", "1.A TVch, 1.B TVch"): the longest class abbreviation each part starts with. */
function classesOfLabel(label: string, classes: PublicOption[]): string[] {
  return label.split(", ").map((part) => {
    const match = classes.filter((c) => part === c.text || part.startsWith(`${c.text} `)).sort((a, b) => b.text.length - a.text.length)[0];
    if (!match) throw new Error(`no class for group label ${JSON.stringify(part)}`);
    return match.id;
  });
}

describe("the fake school's pages", () => {
  beforeAll(async () => {
    await control.reset({ size: "small", seed: 21 });
    expected = await control.expected();
  });
  afterAll(async () => {
    await control.reset({ size: "small" });
  });

  it("the entry page lists every class and teacher of the school, and no lesson", async () => {
    const entry = await readPage("/Timetable/Public");
    expect(entry.hasLists).toBe(true);
    expect(entry.classes).toEqual(expected.classes.map((c) => ({ id: c.id, text: c.abbrev })));
    expect(new Set(entry.teachers.map((t) => t.id))).toEqual(new Set(expected.teachers.map((t) => t.id)));
    expect(entry.teachers).toHaveLength(expected.teachers.length);
    expect(entry.rooms.length).toBeGreaterThan(0);
    expect(entry).toMatchObject({ lessons: [], unreadableCells: 0 });
  });

  it("the teacher pages give exactly each teacher's (subject, class) assignments", async () => {
    const entry = await readPage("/Timetable/Public");
    const subjectAbbrev = new Map(expected.subjects.map((s) => [s.id, s.abbrev]));
    for (const teacher of entry.teachers) {
      const parsed = await readPage(pagePath("Teacher", teacher.id));
      expect(parsed.unreadableCells).toBe(0);
      expect(parsed.teachers).toEqual(entry.teachers);
      expect(parsed.lessons.every((l) => l.teacher === null)).toBe(true);
      const served = new Set(
        parsed.lessons.flatMap((l) => classesOfLabel(l.group, entry.classes).map((classId) => `${l.subjectAbbrev}|${classId}`)),
      );
      const wanted = new Set(
        expected.teachingAssignments.filter((a) => a.userId === teacher.id).map((a) => `${subjectAbbrev.get(a.subjectId)}|${a.classId}`),
      );
      expect(served, teacher.id).toEqual(wanted);
    }
  });

  it("the class pages name each lesson's teacher with titles, and give the class's (teacher, subject) pairs", async () => {
    const teacherName = new Map(expected.teachers.map((t) => [t.id, t.name]));
    const subjectAbbrev = new Map(expected.subjects.map((s) => [s.id, s.abbrev]));
    for (const c of expected.classes) {
      const parsed = await readPage(pagePath("Class", c.id));
      expect(parsed.unreadableCells).toBe(0);
      expect(parsed.lessons.length).toBeGreaterThan(0);
      expect(parsed.lessons.some((l) => l.group === `${c.abbrev} celá`)).toBe(true);
      const served = new Set(parsed.lessons.map((l) => `${l.teacher}|${l.subjectAbbrev}`));
      const wanted = new Set(
        expected.teachingAssignments
          .filter((a) => a.classId === c.id)
          .map((a) => `${teacherName.get(a.userId)}|${subjectAbbrev.get(a.subjectId)}`),
      );
      expect(served, c.id).toEqual(wanted);
    }
    const first = await readPage(pagePath("Class", expected.classes[0]!.id, "Actual"));
    expect(first.lessons.every((l) => typeof l.teacher === "string" && l.teacher.length > 0)).toBe(true);
  });

  it("a subject name with quotes, & and ' | ' comes back exactly", async () => {
    const assignment = expected.teachingAssignments[0]!;
    const name = `Seminář "Fyzika" & 'Chemie' <1> | ÿ`;
    await control.change({ op: "renameSubject", subjectId: assignment.subjectId, name });
    try {
      const parsed = await readPage(pagePath("Class", assignment.classId));
      expect(parsed.unreadableCells).toBe(0);
      expect(parsed.lessons.map((l) => l.subjectName)).toContain(name);
    } finally {
      await control.reset({ size: "small", seed: 21 });
    }
  });

  it("reads what each switch of the fake shows", async () => {
    const classPath = pagePath("Class", expected.classes[0]!.id);
    const on = await readPage(classPath);
    try {
      await control.publicTimetable("emptyLists");
      expect(await readPage(classPath)).toEqual({ classes: [], teachers: [], rooms: [], lessons: [], unreadableCells: 0, hasLists: true });

      await control.publicTimetable("unrecognised");
      const unknown = await readPage(classPath);
      expect(unknown).toMatchObject({ hasLists: false, classes: [], teachers: [], rooms: [], lessons: [] });
      expect(unknown.unreadableCells).toBe(on.lessons.length);

      await control.publicTimetable("loginRedirect");
      const login = await readPage(classPath); // fetch follows the redirect to the login form
      expect(login).toEqual({ classes: [], teachers: [], rooms: [], lessons: [], unreadableCells: 0, hasLists: false });

      await control.publicTimetable("notFound");
      expect((await fetchPage(classPath)).status).toBe(404);
      await control.publicTimetable("serverError");
      expect((await fetchPage(classPath)).status).toBe(500);
    } finally {
      await control.publicTimetable("on");
    }
  });
});
