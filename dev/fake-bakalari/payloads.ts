/**
 * The Bakaláři API v3 payloads, in the shapes of the community documentation
 * (github.com/bakalari-api/bakalari-api-v3), computed from the school model for the
 * account that asks: its personal timetable, its class book, its user record.
 *
 * Every payload carries fields a client must ignore, on the root and on records, and the
 * quirks real answers have (see README.md, "What is documented and what is assumed").
 * Serialized payloads are cached per school and version: the benchmark asks for the
 * same timetable and class book many times, and a change bumps the version.
 */
import type { Account } from "./auth";
import { bakalariDate, compactDate, dayFromCompact, dayFromParts, dayKind, weekday } from "./calendar";
import type { AccountKind } from "./control";
import {
  HOURS,
  personOf,
  scopeKey,
  shownGroupIds,
  timetableView,
  type Atom,
  type Group,
  type School,
  type Scope,
  type Student,
  type SubjectKind,
  type TimetableView,
} from "./model";

const CYCLES = [
  { Id: "1", Abbrev: "S", Name: "Sudý týden" },
  { Id: "2", Abbrev: "L", Name: "Lichý týden" },
];
const CYCLE_IDS = CYCLES.map((c) => c.Id);
const LESSON_MINUTES = 45;
const SCHOOL_DAYS = [1, 2, 3, 4, 5];

/** What a student or parent gets for the class book and absence lists (an assumption: see README.md). */
export const FORBIDDEN = { Message: "The account has no right to read the class book." };

/** Minutes from midnight, as the class book's `Start`. */
function startMinutes(hourId: number): number {
  const hour = HOURS.find((h) => h.Id === hourId)!;
  const [h, m] = hour.BeginTime.split(":").map(Number);
  return h! * 60 + m!;
}

const PRAGUE_DATE = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Prague", year: "numeric", month: "2-digit", day: "2-digit" });

/** Today in Prague, as a day number: the only thing the fake takes from the clock. */
export function pragueToday(now = Date.now()): number {
  const parts = Object.fromEntries(PRAGUE_DATE.formatToParts(now).map((p) => [p.type, p.value]));
  return dayFromParts(Number(parts.year), Number(parts.month), Number(parts.day));
}

/** The Monday of the week a day is in (Saturday and Sunday belong to the week before them). */
export function mondayOf(dayNumber: number): number {
  return dayNumber - ((weekday(dayNumber) + 6) % 7);
}

/**
 * A lesson id: date, hour and the serial of the lesson's first group, all digits like
 * the real ones ("20260922070700045"), so it is stable for the same date, hour and
 * group and safe in a URL path.
 */
export function lessonId(dayNumber: number, hourId: number, group: Group): string {
  return `${compactDate(dayNumber)}${String(hourId).padStart(2, "0")}${String(group.serial).padStart(5, "0")}`;
}

export function parseLessonId(id: string): { dayNumber: number; hourId: number; serial: number } | null {
  const m = /^(\d{8})(\d{2})(\d{5})$/.exec(id);
  if (!m) return null;
  const dayNumber = dayFromCompact(m[1]!);
  return dayNumber === null ? null : { dayNumber, hourId: Number(m[2]), serial: Number(m[3]) };
}

const isLanguage = (kind: SubjectKind) => kind === "english" || kind === "language";

const groupRecord = (g: Group) => ({ ClassId: g.classId, Id: g.id, Abbrev: g.abbrev, Name: g.name, Note: "" });

type LessonTemplate = {
  atom: Atom;
  first: Group;
  subject: { Id: string; Abbrev: string; Name: string; IsLanguage: boolean };
  groups: ReturnType<typeof groupRecord>[];
};

type VersionCache = {
  school: School;
  version: number;
  /** Permanent and actual timetables by kind, scope and week. */
  timetables: Map<string, string>;
  week?: Map<number, LessonTemplate[]>;
  lessons?: Map<string, LessonTemplate>;
  repeated?: Set<Atom>;
  rosters: Map<string, unknown[]>;
  classbooks: Map<string, string>;
  expected?: string;
};

export type Answer = { status: 200 | 403 | 404; body: string };

/** Keeps a cache map from growing without bound: the views and windows asked for are few, each can be megabytes. */
function remember(map: Map<string, string>, key: string, limit: number, compute: () => string): string {
  let body = map.get(key);
  if (body === undefined) {
    body = compute();
    if (map.size >= limit) map.clear();
    map.set(key, body);
  }
  return body;
}

export class SchoolPayloads {
  private cache: VersionCache | null = null;

  private current(school: School): VersionCache {
    if (!this.cache || this.cache.school !== school || this.cache.version !== school.version) {
      this.cache = { school, version: school.version, timetables: new Map(), rosters: new Map(), classbooks: new Map() };
    }
    return this.cache;
  }

  /** Any value computed once per school version (the `/_fake/expected` body, for one). */
  expected(school: School, compute: () => string): string {
    const cache = this.current(school);
    return (cache.expected ??= compute());
  }

  /** The permanent timetable of a view, its days dated in the week of `today`. */
  timetable(school: School, scope: Scope, today = pragueToday()): string {
    const monday = mondayOf(today);
    return remember(this.current(school).timetables, `permanent|${scopeKey(scope)}|${monday}`, 16, () =>
      JSON.stringify(buildPermanent(school, timetableView(school, scope), monday, this.repeated(school))),
    );
  }

  /** The actual timetable of a view for the week of `day`. */
  actual(school: School, scope: Scope, day: number): string {
    const monday = mondayOf(day);
    return remember(this.current(school).timetables, `actual|${scopeKey(scope)}|${monday}`, 16, () =>
      JSON.stringify(buildActual(school, timetableView(school, scope), monday, this.repeated(school))),
    );
  }

  classbook(school: School, scope: Scope, from: number, to: number): string {
    // A run or a benchmark asks for one window again and again; a large school's is about 5 MB.
    return remember(this.current(school).classbooks, `${scopeKey(scope)}|${from}|${to}`, 4, () =>
      JSON.stringify(this.buildClassbook(school, scope, from, to)),
    );
  }

  /**
   * The absence list of a lesson: 404 when there is no such lesson, 403 when the account's
   * class book does not show it (or the account has no class book: `scope` null).
   */
  absence(school: School, scope: Scope | null, id: string): Answer {
    if (!scope) return { status: 403, body: JSON.stringify(FORBIDDEN) };
    const parsed = parseLessonId(id);
    const lesson =
      parsed && dayKind(parsed.dayNumber, school.holidays).type === "WorkDay"
        ? this.lessons(school).get(`${weekday(parsed.dayNumber)}|${parsed.hourId}|${parsed.serial}`)
        : undefined;
    if (!parsed || !lesson) return { status: 404, body: JSON.stringify({ Message: "The lesson was not found." }) };
    if (shownGroupIds(school, scope, lesson.atom).length === 0) return { status: 403, body: JSON.stringify(FORBIDDEN) };
    const hour = HOURS.find((h) => h.Id === lesson.atom.hourId)!;
    const body = JSON.stringify({
      LessonId: id,
      ClassBookRecordId: null,
      AbsencesGroups: lesson.atom.groupIds.map((gid) => {
        const group = school.groups.get(gid)!;
        return {
          StudentsAbsences: this.roster(school, group, parsed.dayNumber),
          AbsentTypeOptions: [
            {
              AbsentType: "",
              AbsentKindEnabled: false,
              AbsentKindRequired: false,
              AbsentNoteEnabled: false,
              AbsentKinds: [],
              NextAbsentType: "A",
            },
          ],
          Group: groupRecord(group),
        };
      }),
      HourId: lesson.atom.hourId,
      Start: startMinutes(lesson.atom.hourId),
      Duration: LESSON_MINUTES,
      Hours: [{ ...hour, Start: startMinutes(hour.Id), Duration: LESSON_MINUTES }],
      SchoolEvents: [],
    });
    return { status: 200, body };
  }

  user(school: School, account: Account): string {
    return JSON.stringify(userRecord(school, account));
  }

  private roster(school: School, group: Group, dayNumber: number): unknown[] {
    const cache = this.current(school);
    const key = `${group.id}|${dayNumber}`;
    let list = cache.rosters.get(key);
    if (!list) {
      list = [...group.members].map((sid) => studentAbsence(school.students.get(sid)!, dayNumber));
      cache.rosters.set(key, list);
    }
    return list;
  }

  /** The atoms that carry a repeated group id (["0C", "0C"]): each class's first whole-class lesson of the week. */
  private repeated(school: School): Set<Atom> {
    const cache = this.current(school);
    if (cache.repeated) return cache.repeated;
    const classes = new Set<string>();
    const atoms = new Set<Atom>();
    for (const atom of school.atoms) {
      const group = atom.groupIds.length === 1 ? school.groups.get(atom.groupIds[0]!) : undefined;
      if (!group || group.kind !== "whole" || classes.has(group.classId)) continue;
      classes.add(group.classId);
      atoms.add(atom);
    }
    return (cache.repeated = atoms);
  }

  private week(school: School): Map<number, LessonTemplate[]> {
    const cache = this.current(school);
    if (cache.week) return cache.week;
    const week = new Map<number, LessonTemplate[]>();
    for (const atom of school.atoms) {
      const groups = atom.groupIds.map((id) => school.groups.get(id)!);
      const subject = school.subjects.get(atom.subjectId)!;
      const template: LessonTemplate = {
        atom,
        first: groups[0]!,
        subject: { Id: subject.id, Abbrev: subject.abbrev, Name: subject.name, IsLanguage: isLanguage(subject.kind) },
        groups: groups.map(groupRecord),
      };
      week.set(atom.dayOfWeek, [...(week.get(atom.dayOfWeek) ?? []), template]);
    }
    return (cache.week = week);
  }

  private lessons(school: School): Map<string, LessonTemplate> {
    const cache = this.current(school);
    if (cache.lessons) return cache.lessons;
    const lessons = new Map<string, LessonTemplate>();
    for (const [dow, templates] of this.week(school)) {
      for (const t of templates) lessons.set(`${dow}|${t.atom.hourId}|${t.first.serial}`, t);
    }
    return (cache.lessons = lessons);
  }

  private buildClassbook(school: School, scope: Scope, from: number, to: number) {
    const week = this.week(school);
    const shows = (t: LessonTemplate) => scope.kind === "school" || shownGroupIds(school, scope, t.atom).length > 0;
    const days = [];
    for (let day = from; day <= to; day++) {
      const kind = dayKind(day, school.holidays);
      const date = bakalariDate(day);
      const hours =
        kind.type !== "WorkDay"
          ? []
          : (week.get(weekday(day)) ?? []).filter(shows).map((t) => {
              const id = lessonId(day, t.atom.hourId, t.first);
              const hour = HOURS.find((h) => h.Id === t.atom.hourId)!;
              return {
                Id: `${id}R`,
                LessonId: id,
                Label: "",
                Notice: "",
                PrivateNotice: "",
                Tags: [],
                Theme: "",
                ClassBookLevel: "SecondLevel",
                WeekTheme: "",
                HourId: t.atom.hourId,
                Date: date,
                Start: startMinutes(t.atom.hourId),
                Duration: LESSON_MINUTES,
                HourCaption: hour.Caption,
                HourTime: `${hour.BeginTime} - ${hour.EndTime}`,
                Subject: t.subject,
                Groups: t.groups,
                EditableGroups: t.atom.groupIds,
                // Empty, so that a client which takes it for a roster is caught out.
                Students: [],
                Homeworks: [],
                ChangeText: null,
                Supervision: null,
              };
            });
      days.push({ Date: date, DayOfWeek: weekday(day), DayDescription: kind.description, DayType: kind.type, Hours: hours });
    }
    return {
      Days: days,
      Hours: HOURS.map((h) => ({ ...h, Start: startMinutes(h.Id), Duration: LESSON_MINUTES })),
      Notices: [],
    };
  }
}

function studentAbsence(student: Student, dayNumber: number) {
  // A few students are marked absent, so that a client cannot mistake the list for "who was absent".
  const absent = (student.registrationNumber * 7 + dayNumber) % 23 === 0;
  return {
    Student: {
      IsAdult: student.isAdult,
      RegistrationNumber: student.registrationNumber,
      Id: student.id,
      Abbrev: student.abbrev,
      Name: student.name,
      Photo: null,
    },
    Absences: absent ? [{ AbsentType: "A", AbsentKind: null, Note: "" }] : [],
    StudentReleased: false,
  };
}

/** An atom as the timetables serve it; `repeated` lists its first group id twice. */
function atomRecord(atom: Atom, groupIds: string[], repeated: boolean, cycleIds: string[]) {
  return {
    HourId: atom.hourId,
    GroupIds: repeated ? [...groupIds, groupIds[0]!] : groupIds,
    SubjectId: atom.subjectId,
    TeacherId: atom.teacherId,
    RoomId: atom.roomId,
    IsLastRoomLesson: false,
    CycleIds: cycleIds,
    Change: null,
    HomeworkIds: [],
    Homeworks: [],
    Theme: "",
    Assistants: [],
    Notice: "",
    LessonRelease: "NoChange",
  };
}

/**
 * A lesson taken out of the actual timetable: no group, subject, teacher or room, only its
 * Change (as moduly/rozvrh_priklady/bezny.json has one). In the ninth hour, which nothing
 * else uses, so it never shares a cell with a lesson.
 */
function removedAtom(dayNumber: number) {
  const hour = HOURS[HOURS.length - 1]!;
  return {
    HourId: hour.Id,
    GroupIds: [],
    SubjectId: null,
    TeacherId: null,
    RoomId: null,
    IsLastRoomLesson: false,
    CycleIds: [],
    Change: {
      ChangeSubject: null,
      Day: bakalariDate(dayNumber),
      Hours: `${hour.Caption}. hod`,
      ChangeType: "Removed",
      Description: "Vyjmuto z rozvrhu",
      Time: `${hour.BeginTime} - ${hour.EndTime}`,
      TypeAbbrev: null,
      TypeName: null,
      AtomType: "Hour",
    },
    HomeworkIds: [],
    Homeworks: [],
    Theme: null,
    Assistants: [],
    Notice: "",
    LessonRelease: "NoChange",
  };
}

/**
 * The records a timetable lists. Bakaláři lists a group once per use; the whole-class
 * group and every other first English half come again, as identical duplicate entries.
 */
function catalog(school: School, view: TimetableView) {
  const groups: ReturnType<typeof groupRecord>[] = [];
  for (const [index, classId] of [...school.classes.keys()].entries()) {
    const own = view.groups.filter((g) => g.classId === classId);
    if (own.length === 0) continue;
    groups.push(...own.map(groupRecord));
    const whole = own.find((g) => g.kind === "whole");
    if (whole) groups.push(groupRecord(whole));
    const half = own.find((g) => g.kind === "english");
    if (half && index % 2 === 0) groups.push(groupRecord(half));
  }
  return {
    Classes: view.classes.map((c) => ({ Id: c.id, Abbrev: c.abbrev, Name: c.name, StudyYear: c.grade })),
    Groups: groups,
    Subjects: view.subjects.map((s) => ({ Id: s.id, Abbrev: s.abbrev, Name: s.name, IsLanguage: isLanguage(s.kind) })),
    Teachers: view.teachers.map((t) => ({ Id: t.id, Abbrev: t.abbrev, Name: t.name, Email: null })),
    Rooms: view.rooms.map((r) => ({ Id: r.id, Abbrev: r.abbrev, Name: r.name })),
  };
}

/** A day's header: its date in the week, and its kind from the calendar. */
function dayHeader(school: School, monday: number, dow: number) {
  const day = monday + dow - 1;
  const kind = dayKind(day, school.holidays);
  return { DayOfWeek: dow, Date: bakalariDate(day), DayDescription: kind.description, DayType: kind.type };
}

/**
 * The permanent timetable: its days are the dates of the given week with their kind, and
 * keep their atoms on holidays too, as moduly/rozvrh_priklady/staly.json does.
 */
function buildPermanent(school: School, view: TimetableView, monday: number, repeated: Set<Atom>) {
  const days = SCHOOL_DAYS.map((dow) => ({
    Atoms: view.atoms.filter((a) => a.atom.dayOfWeek === dow).map((a) => atomRecord(a.atom, a.groupIds, repeated.has(a.atom), CYCLE_IDS)),
    AssistanceAtoms: [],
    ...dayHeader(school, monday, dow),
  }));
  return { Hours: HOURS, Days: days, ...catalog(school, view), Cycles: CYCLES };
}

/**
 * The actual timetable of a week: lessons on work days only, and one removed lesson on its
 * last work day. A week without a work day lists nothing but its days and Hours, as
 * moduly/rozvrh_priklady/prazdniny.json shows; the cycle is the week's own.
 */
function buildActual(school: School, view: TimetableView, monday: number, repeated: Set<Atom>) {
  const headers = SCHOOL_DAYS.map((dow) => dayHeader(school, monday, dow));
  const workDays = headers.filter((h) => h.DayType === "WorkDay").map((h) => h.DayOfWeek);
  const cycle = CYCLES[Math.floor(monday / 7) % 2]!;
  const days = headers.map((header) => {
    if (header.DayType !== "WorkDay") return { Atoms: [], AssistanceAtoms: [], ...header };
    const atoms: unknown[] = view.atoms
      .filter((a) => a.atom.dayOfWeek === header.DayOfWeek)
      .map((a) => atomRecord(a.atom, a.groupIds, repeated.has(a.atom), [cycle.Id]));
    if (header.DayOfWeek === workDays[workDays.length - 1]) atoms.push(removedAtom(monday + header.DayOfWeek - 1));
    return { Atoms: atoms, AssistanceAtoms: [], ...header };
  });
  if (workDays.length === 0)
    return { Hours: HOURS, Days: days, Classes: [], Groups: [], Subjects: [], Teachers: [], Rooms: [], Cycles: [] };
  return { Hours: HOURS, Days: days, ...catalog(school, view), Cycles: [cycle] };
}

const shown = (r: { name: string; abbrev: string }) => r.name || r.abbrev;

const USER_TYPE_TEXT: Record<AccountKind, string> = { management: "vedení školy", teacher: "učitel", student: "žák", parent: "rodič" };

const MODULES = {
  staff: [
    { Module: "Timetable", Rights: ["ShowTimetable"] },
    { Module: "Classbook", Rights: ["ShowClassbook", "ShowAbsence"] },
    { Module: "Komens", Rights: ["ShowReceivedMessages", "ShowSentMessages", "SendMessages"] },
  ],
  family: [
    { Module: "Komens", Rights: ["ShowReceivedMessages", "ShowNoticeBoardMessages"] },
    { Module: "Absence", Rights: ["ShowAbsence", "ShowAbsencePercentage"] },
    { Module: "Marks", Rights: ["ShowMarks", "ShowFinalMarks"] },
    { Module: "Timetable", Rights: ["ShowTimetable"] },
    { Module: "Substitutions", Rights: ["ShowSubstitutions"] },
    { Module: "Homeworks", Rights: ["ShowHomeworks"] },
  ],
};

/**
 * GET /api/3/user. A student's and a parent's record name the student and their class
 * ("Příjmení Jméno, X.A", as moduly/user.md shows for a parent); staff have a Class of nulls.
 */
function userRecord(school: School, account: Account) {
  const family = account.kind === "student" || account.kind === "parent";
  const personId = personOf(school, account.kind);
  const student = family ? school.students.get(school.accounts.studentId) : undefined;
  const schoolClass = student ? school.classes.get(student.classId) : undefined;
  const teacher = family ? undefined : school.teachers.get(personId);
  const fullName = student ? `${shown(student)}, ${schoolClass?.abbrev ?? ""}` : teacher ? shown(teacher) : "";
  return {
    UserUID: `FAKE/${personId}`,
    Class: schoolClass
      ? { Id: schoolClass.id, Abbrev: schoolClass.abbrev, Name: schoolClass.name }
      : { Id: null, Abbrev: null, Name: null },
    FullName: fullName,
    SchoolOrganizationName: "Gymnázium Fiktivní, Praha",
    SchoolType: null,
    UserType: account.userType,
    UserTypeText: USER_TYPE_TEXT[account.kind],
    StudyYear: schoolClass?.grade ?? null,
    EnabledModules: family ? MODULES.family : MODULES.staff,
    SettingModules: { Common: { $type: "CommonModuleSettings", ActualSemester: { SemesterId: "1", From: null, To: null } } },
  };
}
