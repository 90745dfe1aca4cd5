/**
 * The public timetable's pages (priklady/options.html, priklady/day.html): the entry page
 * with the three lists, a week's grid for a class, a teacher or a room, and the 404, 500
 * and login pages. See README.md ("Public timetable") for what is documented and what assumed.
 */
import { dayKind, mondayOfWeek, partsOfDay, pragueToday } from "./calendar";
import type { PublicTimetableMode } from "./control";
import { HOURS, SCHOOL_DAYS, shownName, type Atom, type School } from "./model";
import { detailAttribute, groupLabel, htmlEncode, teacherDisplayName, teacherListName } from "./public-timetable-text";

export type PageWeek = "Permanent" | "Actual" | "Next";
export type PageKind = "Class" | "Teacher" | "Room";
export const WEEKS: readonly PageWeek[] = ["Permanent", "Actual", "Next"];

const DAY_LABELS = ["ne", "po", "út", "st", "čt", "pá", "so"] as const;

/** Whether an atom is on a page: a class's (any of its groups), a teacher's, a room's. */
function onPage(school: School, kind: PageKind, id: string, atom: Atom): boolean {
  if (kind === "Teacher") return atom.teacherId === id;
  if (kind === "Room") return atom.roomId !== "" && atom.roomId === id;
  return atom.groupIds.some((gid) => school.groups.get(gid)?.classId === id);
}

// ---------------------------------------------------------------------------
// Dates

/** The Monday of the week a page shows: this week's (Actual) or the next (Next). */
export function mondayOf(week: "Actual" | "Next", today: number): number {
  const monday = mondayOfWeek(today);
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

/**
 * The assumption's alternative (README): the first class listed under an id holding "|", the
 * character that joins an enrollment's ids, which the API's records never show.
 */
function withUnusableId(lists: Lists): Lists {
  const [first, ...rest] = lists.classes;
  return first ? { ...lists, classes: [{ ...first, id: `${first.id}|${first.text}` }, ...rest] } : lists;
}

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
    subjecttext: `${subject ? shownName(subject) : ""} | ${dayLabel} | ${hour ? `${hour.Caption} (${hour.BeginTime} - ${hour.EndTime})` : ""}`,
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

/** The page the fake serves in the given mode (for "on", "emptyLists", "unrecognised" and "unusableIds"); `null` target: the entry page. */
export function renderPublicPage(school: School, mode: PublicTimetableMode, target: PageRequest, today: number = pragueToday()): string {
  const markup: Markup = mode === "unrecognised" ? "unrecognised" : "standard";
  const lists = mode === "emptyLists" ? EMPTY_LISTS : mode === "unusableIds" ? withUnusableId(schoolLists(school)) : schoolLists(school);
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
