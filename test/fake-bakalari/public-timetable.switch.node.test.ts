/**
 * The fake school's public timetable (HTML, no sign-in): the encoding of the documented
 * samples, the switch that turns it off, faults on its paths, and the request counters.
 * What its pages show: public-timetable.node.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { PublicTimetableMode } from "../../dev/fake-bakalari/control";
import { detailAttribute, htmlEncode, teacherListName } from "../../dev/fake-bakalari/public-timetable-text";
import { type Served } from "./support";

import { lessons, options, pagePath, rows, useServedSchool } from "./public-timetable-reader";

const { fake, control, school, page } = useServedSchool();

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
  const modes: PublicTimetableMode[] = ["on", "loginRedirect", "notFound", "serverError", "emptyLists", "unrecognised", "unusableIds"];

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

  it("unusableIds: the lists name the first class by an id holding |; the other lists stay as they are", async () => {
    const on = await page("/Timetable/Public");
    await control.publicTimetable("unusableIds");
    const odd = await page("/Timetable/Public");
    expect(odd.status).toBe(200);
    const [first, ...rest] = options(on.text, "selectedClass")!.slice(1);
    expect(options(odd.text, "selectedClass")!.slice(1)).toEqual([{ ...first!, id: `${first!.id}|${first!.text}` }, ...rest]);
    for (const id of ["selectedTeacher", "selectedRoom"]) expect(options(odd.text, id)).toEqual(options(on.text, id));
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
