/**
 * The public timetable of the fake school: HTML pages without sign-in, as
 * bakalari-api-v3 documents them (moduly/timetable_public.md, priklady/options.html,
 * priklady/day.html), served from the school model.
 *
 *   GET /Timetable/Public                                        the entry page: the three lists, no grid
 *   GET /Timetable/Public/{Permanent|Actual|Next}/{Class|Teacher|Room}/{id}
 *
 * Every page carries `<select id="selectedClass|selectedTeacher|selectedRoom">` with an
 * empty first option and one option per class, teacher ("Surname Name") and room; a grid
 * page has one `.bk-timetable-row` per school day whose cells hold one `.day-item` per
 * lesson, with the lesson's JSON in `data-detail` and the subject's abbreviation in
 * `.middle`. Text is encoded as ASP.NET's WebUtility.HtmlEncode does it (and as the
 * samples show): U+00A0..U+00FF as `&#NNN;`, `& < > " '` as references, everything else
 * raw; the JSON's values are encoded one by one and the JSON goes into a single-quoted
 * attribute.
 *
 * A switch (`/_fake/public-timetable`) turns the timetable off in the ways a school's
 * may be: a redirect to the login page, 404, 500, empty lists, or markup this reader
 * does not know. See README.md ("Public timetable").
 */
import type { HttpBindings } from "@hono/node-server";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { dayFromParts, dayKind, partsOfDay, weekday } from "./calendar";
import type { PublicTimetableMode } from "./control";
import type { FaultInjector } from "./faults";
import { HOURS, type Atom, type School, type Teacher } from "./model";

export type { PublicTimetableMode };
export const PUBLIC_TIMETABLE_MODES = [
  "on",
  "loginRedirect",
  "notFound",
  "serverError",
  "emptyLists",
  "unrecognised",
] as const satisfies readonly PublicTimetableMode[];

/** The switch, part of the fake's state: a reset turns the timetable back on. */
export class PublicTimetableSwitch {
  mode: PublicTimetableMode = "on";
  reset(): void {
    this.mode = "on";
  }
}

/** What the pages need of the fake's state (server.ts's FakeState fits). */
export type PublicTimetableHost = {
  readonly school: School;
  readonly publicTimetable: PublicTimetableSwitch;
  readonly faults: FaultInjector;
  count(method: string, route: string): void;
};

type Env = { Bindings: HttpBindings };

export type PageWeek = "Permanent" | "Actual" | "Next";
export type PageKind = "Class" | "Teacher" | "Room";
const WEEKS: readonly PageWeek[] = ["Permanent", "Actual", "Next"];
const KINDS: readonly PageKind[] = ["Class", "Teacher", "Room"];

/** A path of the school's web site this module answers. */
export type SiteRoute =
  | { page: "entry"; key: string }
  | { page: "timetable"; key: string; week: PageWeek; kind: PageKind; id: string }
  | { page: "login"; key: string }
  | { page: "unknown"; key: string };

const HTML_TYPE = "text/html; charset=utf-8";
const SCHOOL_TIME_ZONE = "Europe/Prague";
const DAY_LABELS = ["ne", "po", "út", "st", "čt", "pá", "so"] as const;
const SCHOOL_DAYS = [1, 2, 3, 4, 5];

// ---------------------------------------------------------------------------
// Encoding

/**
 * HTML text as ASP.NET's WebUtility.HtmlEncode writes it: `& < > " '` as references,
 * U+00A0..U+00FF as decimal references (`á` → `&#225;`), everything else raw (`č`, `ř`).
 * Safe in text and in attributes of either quote.
 */
export function htmlEncode(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "'") out += "&#39;";
    else if (code >= 0xa0 && code <= 0xff) out += `&#${code};`;
    else out += ch;
  }
  return out;
}

/** The lesson detail as the `data-detail` attribute's value: each string encoded, then the JSON (its quotes raw). */
export function detailAttribute(detail: Record<string, unknown>): string {
  const encoded = Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === "string" ? htmlEncode(v) : v]));
  // An encoded value holds no `'`, `"`, `<`, `>` or bare `&`: the JSON fits between single quotes.
  return JSON.stringify(encoded);
}

// ---------------------------------------------------------------------------
// Names and labels

const POSTNOMINALS = new Set(["MBA", "BBA", "DiS", "CSc", "DrSc", "PhD", "MSc", "BSc", "LLM"]);
const isTitle = (word: string) => word.endsWith(".") || POSTNOMINALS.has(word);

/** "Mgr. Jana Nováková, Ph.D." → "Nováková Jana": titles dropped, surname first; a teacher without a name shows its abbreviation. */
export function teacherListName(teacher: Pick<Teacher, "name" | "abbrev">): string {
  const words = teacher.name.split(/\s+/).map((w) => w.replace(/,+$/, ""));
  const kept: string[] = [];
  words.forEach((word, i) => {
    if (word === "" || isTitle(word)) return;
    // "Mgr. et Mgr.": the "et" between two titles is a title's.
    if (word === "et" && i > 0 && isTitle(words[i - 1]!)) return;
    kept.push(word);
  });
  if (kept.length === 0) return teacher.abbrev;
  return [kept[kept.length - 1]!, ...kept.slice(0, -1)].join(" ");
}

/** The name with titles, as lesson details show a teacher ("Mgr. Jana Nováková"); its abbreviation when it has none. */
const teacherDisplayName = (teacher: Pick<Teacher, "name" | "abbrev">) => teacher.name.trim() || teacher.abbrev;

/**
 * A lesson's group label: "<class abbrev> celá" for a whole-class group, the group's
 * Abbrev ("1.A AJ1") for any other, joined by ", " for a lesson of several groups.
 */
export function groupLabel(school: School, atom: Pick<Atom, "groupIds">): string {
  return atom.groupIds
    .map((id) => {
      const group = school.groups.get(id);
      if (!group) return "";
      if (group.kind === "whole") return `${school.classes.get(group.classId)?.abbrev ?? group.abbrev} celá`;
      return group.abbrev;
    })
    .filter((label) => label !== "")
    .join(", ");
}

/** Whether an atom is on a page: a class's (any of its groups), a teacher's, a room's. */
function onPage(school: School, kind: PageKind, id: string, atom: Atom): boolean {
  if (kind === "Teacher") return atom.teacherId === id;
  if (kind === "Room") return atom.roomId !== "" && atom.roomId === id;
  return atom.groupIds.some((gid) => school.groups.get(gid)?.classId === id);
}

function exists(school: School, kind: PageKind, id: string): boolean {
  return (kind === "Class" ? school.classes : kind === "Teacher" ? school.teachers : school.rooms).has(id);
}

// ---------------------------------------------------------------------------
// Dates

/** Today in Prague, as a day number. */
export function pragueToday(now: Date = new Date()): number {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: SCHOOL_TIME_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return dayFromParts(part("year"), part("month"), part("day"));
}

/** The Monday of the week a page shows: this week's (Actual) or the next (Next). */
export function mondayOf(week: "Actual" | "Next", today: number): number {
  const monday = today - ((weekday(today) + 6) % 7);
  return week === "Next" ? monday + 7 : monday;
}

/** "10.11.": day and month, unpadded. */
export function shortDate(dayNumber: number): string {
  const { month, day } = partsOfDay(dayNumber);
  return `${day}.${month}.`;
}

// ---------------------------------------------------------------------------
// Pages

type Markup = "standard" | "unrecognised";
type Lists = { classes: { id: string; text: string }[]; teachers: { id: string; text: string }[]; rooms: { id: string; text: string }[] };

const collator = new Intl.Collator("cs");

function schoolLists(school: School): Lists {
  return {
    classes: [...school.classes.values()].map((c) => ({ id: c.id, text: c.abbrev })),
    teachers: [...school.teachers.values()]
      .map((t) => ({ id: t.id, text: teacherListName(t) }))
      .sort((a, b) => collator.compare(a.text, b.text)),
    rooms: [...school.rooms.values()].map((r) => ({ id: r.id, text: r.abbrev })).sort((a, b) => collator.compare(a.text, b.text)),
  };
}

const EMPTY_LISTS: Lists = { classes: [], teachers: [], rooms: [] };

const HEAD_SCRIPT = `
    <script type="text/javascript">
      // Builds the week's address from the lists; markup in strings is only text to a parser.
      var placeholder = '<option value="X">X</option>';
      var closing = '</div></div>';
      var kinds = { selectedClass: "Class", selectedTeacher: "Teacher", selectedRoom: "Room" };
      function changeSelection(listId) {
        var value = document.getElementById(listId).value;
        if (value) window.location = "/Timetable/Public/" + window.bkWeek + "/" + kinds[listId] + "/" + encodeURIComponent(value);
      }
      function changeClass() { changeSelection("selectedClass"); }
      function changeTeacher() { changeSelection("selectedTeacher"); }
      function changeRoom() { changeSelection("selectedRoom"); }
    </script>`;

function htmlDocument(title: string, body: string, bodyScript = ""): string {
  return `<!DOCTYPE html>
<html lang="cs">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${htmlEncode(title)}</title>
    <link rel="stylesheet" href="/Content/bootstrap.min.css" />${HEAD_SCRIPT}
  </head>
  <body class="bk-public">
${body}${bodyScript}
  </body>
</html>
`;
}

function selectHtml(
  markup: Markup,
  listId: "selectedClass" | "selectedTeacher" | "selectedRoom",
  label: string,
  options: Lists["classes"],
  selected: string | null,
  first: boolean,
): string {
  const handler = { selectedClass: "changeClass", selectedTeacher: "changeTeacher", selectedRoom: "changeRoom" }[listId];
  const lines = options.map((o) =>
    o.id === selected
      ? `    <option value="${htmlEncode(o.id)}" selected="selected">\n      ${htmlEncode(o.text)}\n    </option>`
      : `    <option value="${htmlEncode(o.id)}">${htmlEncode(o.text)}</option>`,
  );
  // Unrecognised markup: the same lists, but in selects the documented ids do not name.
  const select =
    markup === "standard"
      ? `<select id="${listId}" class="custom-select" onchange="${handler}()">`
      : `<select name="${listId.replace("selected", "").toLowerCase()}" class="custom-select bk-select" data-role="${handler}">`;
  return `<div class="d-inline-flex m-1 mr-2 position-relative ico32-ovladani-smerovkaDolu">
  <span class="bk-timetable-label${first ? " pl-0" : ""}">${htmlEncode(label)}</span>
  ${select}
    <option></option>
${lines.map((line) => `${line}\n`).join("")}  </select>
</div>`;
}

function listsHtml(markup: Markup, lists: Lists, target: { kind: PageKind; id: string } | null): string {
  const selected = (kind: PageKind) => (target?.kind === kind ? target.id : null);
  return `<div class="bk-timetable-selects d-flex flex-wrap">
${selectHtml(markup, "selectedClass", "Třída", lists.classes, selected("Class"), true)}
${selectHtml(markup, "selectedTeacher", "Učitel", lists.teachers, selected("Teacher"), false)}
${selectHtml(markup, "selectedRoom", "Místnost", lists.rooms, selected("Room"), false)}
</div>`;
}

function weekLinks(target: { week: PageWeek; kind: PageKind; id: string }): string {
  const labels: Record<PageWeek, string> = { Actual: "Aktuální", Next: "Příští", Permanent: "Stálý" };
  return `<div class="bk-timetable-weeks btn-group">
${WEEKS.map((week) => `  <a class="btn${week === target.week ? " active" : ""}" href="/Timetable/Public/${week}/${target.kind}/${encodeURIComponent(target.id)}">${htmlEncode(labels[week])}</a>`).join("\n")}
</div>`;
}

const cellPosition = (index: number) => `left: ${(3.17 + index * 9.52).toFixed(2)}%; width: 7.94%`;

function lessonHtml(school: School, markup: Markup, kind: PageKind, atom: Atom, dayLabel: string): string {
  const subject = school.subjects.get(atom.subjectId);
  const teacher = school.teachers.get(atom.teacherId);
  const room = atom.roomId === "" ? undefined : school.rooms.get(atom.roomId);
  const hour = HOURS.find((h) => h.Id === atom.hourId);
  const group = groupLabel(school, atom);
  const roomText = room?.abbrev ?? "";
  const detail = {
    type: "atom",
    subjecttext: `${subject ? subject.name || subject.abbrev : ""} | ${dayLabel} | ${hour ? `${hour.Caption} (${hour.BeginTime} - ${hour.EndTime})` : ""}`,
    // A teacher's own page does not name the teacher.
    teacher: kind === "Teacher" || !teacher ? null : teacherDisplayName(teacher),
    room: roomText,
    group,
    theme: "",
    notice: "",
    changeinfo: "",
    homeworks: null,
    absencetext: null,
    hasAbsent: false,
    absentInfoText: "",
  };
  const hover =
    markup === "standard"
      ? `<div class="day-item-hover" data-detail='${detailAttribute(detail)}'>`
      : `<div class="day-item-hover" data-lesson="${htmlEncode(`${atom.dayOfWeek}-${atom.hourId}-${atom.subjectId}`)}">`;
  const bottom = kind === "Teacher" ? "" : htmlEncode(teacher?.abbrev ?? "");
  return `        <div class="day-item" data-testid="timetable-day-item">
          ${hover}
            <div class="day-flex">
              <div class="top clearfix">
                <div class="left roll-vertical top-hide">
                  <div>${htmlEncode(group)}</div>
                </div>
                <div class="right top-hide">
                  <div class="first">${htmlEncode(roomText)}</div>
                </div>
              </div>
              <div class="middle">${htmlEncode(subject?.abbrev ?? "")}</div>
              <div class="bottom"><span>${bottom}</span></div>
              <div class="absence _"></div>
            </div>
          </div>
        </div>`;
}

type GridOptions = { school: School; markup: Markup; week: PageWeek; kind: PageKind; id: string; today: number; lessons: boolean };

function gridHtml(o: GridOptions): string {
  const atoms = o.lessons ? o.school.atoms.filter((atom) => onPage(o.school, o.kind, o.id, atom)) : [];
  const monday = o.week === "Permanent" ? null : mondayOf(o.week, o.today);
  const hoursRow = HOURS.map(
    (h, i) =>
      `    <div class="bk-hour-wrapper" style="${cellPosition(i)}"><div class="num">${h.Caption}</div><div class="hour"><span class="from">${h.BeginTime}</span> - <span class="to">${h.EndTime}</span></div></div>`,
  ).join("\n");
  const rows = SCHOOL_DAYS.map((dow) => {
    const date = monday === null ? null : monday + (dow - 1);
    const kind = date === null ? null : dayKind(date, o.school.holidays);
    const off = kind !== null && kind.type !== "WorkDay";
    const dayLabel = date === null ? DAY_LABELS[dow]! : `${DAY_LABELS[dow]} ${shortDate(date)}`;
    const cells = HOURS.map((h, i) => {
      const here = off ? [] : atoms.filter((a) => a.dayOfWeek === dow && a.hourId === h.Id);
      if (here.length === 0) return `      <div class="bk-timetable-cell" style="${cellPosition(i)}"></div>`;
      return `      <div class="bk-timetable-cell" style="${cellPosition(i)}">
${here.map((a) => lessonHtml(o.school, o.markup, o.kind, a, dayLabel)).join("\n")}
      </div>`;
    }).join("\n");
    // A supervision in the break after the first lesson: a data-detail that is not a lesson.
    const guard = `      <div class="bk-timetable-guard bk-timetable-pauseGuard" style="left: 12.70%; width: 1.59%" data-detail='${detailAttribute({ day: DAY_LABELS[dow], name: "1.patro", begin: "08:45", end: "08:55", info: "" })}'>
        <span>1.PD</span>
      </div>`;
    const info = off ? `\n      <div class="bk-timetable-dayinfo"><span>${htmlEncode(kind!.description || "Volno")}</span></div>` : "";
    return `  <div class="d-flex flex-row bk-timetable-row">
    <div class="bk-timetable-day day-name">
      <div class="bk-day-wrapper">
        <div>
          <span class="bk-day-day">${htmlEncode(DAY_LABELS[dow]!)}</span>${date === null ? "" : `\n          <span class="bk-day-date">${shortDate(date)}</span>`}
        </div>
      </div>
    </div>
    <div class="bk-cell-wrapper">
${cells}
${guard}${info}
    </div>
  </div>`;
  }).join("\n");
  return `<div id="main" class="bk-timetable-main px-sm-2 px-md-3 px-lg-4 pt-4" translate="no">
  <div class="bk-timetable-hours">
${hoursRow}
  </div>
${rows}
</div>`;
}

/** A script in the body whose strings look like lesson markup: none of it is markup. */
const BODY_SCRIPT = `
    <script type="text/javascript">
      window.bkWeek = window.bkWeek || "Permanent";
      var template = '<div class="day-item"><div class="day-item-hover" data-detail=\\'{"type":"atom","subjecttext":"X | po | 1"}\\'><div class="middle">X</div></div></div>';
      var options = "<select id=\\"selectedRoom\\"><option value=\\"ZZ\\">ZZ</option></select>";
    </script>`;

export type PageRequest = { week: PageWeek; kind: PageKind; id: string } | null;

/** The page the fake serves in the given mode (for "on", "emptyLists" and "unrecognised"); `null` target: the entry page. */
export function renderPublicPage(school: School, mode: PublicTimetableMode, target: PageRequest, today: number = pragueToday()): string {
  const markup: Markup = mode === "unrecognised" ? "unrecognised" : "standard";
  const lists = mode === "emptyLists" ? EMPTY_LISTS : schoolLists(school);
  const header = `<nav class="navbar bk-navbar"><a class="navbar-brand" href="/">Bakal&#225;ři</a><span class="navbar-text">Rozvrh</span></nav>`;
  if (target === null) {
    return htmlDocument(
      "Rozvrh",
      `${header}\n<div class="bk-timetable-header container-fluid">\n${listsHtml(markup, lists, null)}\n</div>\n<p class="bk-timetable-hint">${htmlEncode("Vyberte třídu, učitele nebo místnost.")}</p>`,
      BODY_SCRIPT,
    );
  }
  const grid = gridHtml({ school, markup, ...target, today, lessons: mode !== "emptyLists" });
  const weekScript = `\n    <script type="text/javascript">window.bkWeek = "${target.week}";</script>`;
  return htmlDocument(
    "Rozvrh",
    `${header}\n<div class="bk-timetable-header container-fluid">\n${listsHtml(markup, lists, target)}\n${weekLinks(target)}\n</div>\n${grid}`,
    weekScript + BODY_SCRIPT,
  );
}

export function notFoundPage(): string {
  return htmlDocument(
    "Stránka nenalezena",
    `<div class="container"><h1>404</h1><p>${htmlEncode("Požadovaná stránka nebyla nalezena.")}</p></div>`,
  );
}

export function serverErrorPage(): string {
  return htmlDocument(
    "Chyba",
    `<div class="container"><h1>Chyba serveru</h1><p>${htmlEncode("Při zpracování požadavku došlo k chybě.")}</p></div>`,
  );
}

/** The login form a school without a public timetable sends its visitors to (no lists, no grid). */
export function loginPage(returnUrl: string): string {
  return htmlDocument(
    "Přihlášení - Bakaláři",
    `<div class="container bk-login">
  <h1>${htmlEncode("Přihlášení")}</h1>
  <form method="post" action="/login" autocomplete="off">
    <input type="hidden" name="returnUrl" value="${htmlEncode(returnUrl)}" />
    <label for="username">${htmlEncode("Přihlašovací jméno")}</label>
    <input id="username" name="username" type="text" class="form-control" />
    <label for="password">Heslo</label>
    <input id="password" name="password" type="password" class="form-control" />
    <button type="submit" class="btn btn-primary">${htmlEncode("Přihlásit")}</button>
  </form>
</div>`,
  );
}

// ---------------------------------------------------------------------------
// Routes

const canonical = <T extends string>(values: readonly T[], segment: string | undefined): T | undefined =>
  values.find((v) => v.toLowerCase() === segment?.toLowerCase());

/** The route of a path (case-insensitive, as ASP.NET routes; the documentation spells `/timetable/` and `/Timetable/`), or null for other paths. */
export function siteRoute(pathname: string): SiteRoute | null {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (/^\/login$/i.test(path)) return { page: "login", key: "/login" };
  if (!/^\/timetable(\/|$)/i.test(path)) return null;
  const segments = path.split("/").slice(1);
  if (segments.length === 2 && segments[1]!.toLowerCase() === "public") return { page: "entry", key: "/Timetable/Public" };
  const week = canonical(WEEKS, segments[2]);
  const kind = canonical(KINDS, segments[3]);
  if (segments.length === 5 && segments[1]!.toLowerCase() === "public" && week && kind) {
    let id: string;
    try {
      id = decodeURIComponent(segments[4]!);
    } catch {
      return { page: "unknown", key: pathname };
    }
    return { page: "timetable", key: `/Timetable/Public/${week}/${kind}/:id`, week, kind, id };
  }
  return { page: "unknown", key: pathname };
}

const html = (c: Context, status: number, body: string, headers: Record<string, string> = {}) =>
  c.body(body, status as 200, { "content-type": HTML_TYPE, "cache-control": "private", ...headers });

const modeSchema = z.strictObject({ mode: z.enum(PUBLIC_TIMETABLE_MODES) });

/**
 * Mounts the public timetable (and the login page it may redirect to) on the fake's app,
 * with the request counter and the fault rules in front of it, and its switch under
 * `/_fake/public-timetable`. Call it before the app's other catch-alls.
 */
export function mountPublicTimetable(app: Hono<Env>, host: PublicTimetableHost): void {
  const faults = host.faults.middleware();
  const routeOf = (c: Context) => siteRoute(new URL(c.req.url).pathname);

  app.use("*", async (c, next) => {
    const route = routeOf(c);
    if (!route) return next();
    host.count(c.req.method, route.key);
    return faults(c, next);
  });

  app.all("*", async (c, next) => {
    const route = routeOf(c);
    if (!route) return next();
    const url = new URL(c.req.url);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return html(c, 404, notFoundPage());
    if (route.page === "login") return html(c, 200, loginPage(url.searchParams.get("ReturnUrl") ?? "/"));
    const mode = host.publicTimetable.mode;
    switch (mode) {
      case "loginRedirect":
        return c.body(null, 302, {
          location: `/login?ReturnUrl=${encodeURIComponent(url.pathname + url.search)}`,
          "cache-control": "private",
        });
      case "notFound":
        return html(c, 404, notFoundPage());
      case "serverError":
        return html(c, 500, serverErrorPage());
      default:
        break;
    }
    if (route.page === "entry") return html(c, 200, renderPublicPage(host.school, mode, null));
    if (route.page === "timetable" && exists(host.school, route.kind, route.id)) {
      return html(c, 200, renderPublicPage(host.school, mode, { week: route.week, kind: route.kind, id: route.id }));
    }
    return html(c, 404, notFoundPage());
  });

  app.get("/_fake/public-timetable", (c) => c.json({ mode: host.publicTimetable.mode }));
  app.post("/_fake/public-timetable", async (c) => {
    let raw: unknown;
    try {
      raw = JSON.parse(await c.req.text());
    } catch {
      return c.json({ ok: false, error: "the body is not JSON" }, 400);
    }
    const parsed = modeSchema.safeParse(raw);
    if (!parsed.success) return c.json({ ok: false, error: z.prettifyError(parsed.error) }, 400);
    host.publicTimetable.mode = parsed.data.mode;
    return c.json({ ok: true, mode: parsed.data.mode });
  });
}
