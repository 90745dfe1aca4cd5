/**
 * The Bakaláři API v3 payloads, in the shapes of the community documentation
 * (github.com/bakalari-api/bakalari-api-v3), computed from the school model.
 *
 * Every payload carries fields a client must ignore, on the root and on records.
 * Serialized payloads are cached per school and version: the benchmark asks for the
 * same timetable and class book many times, and a change bumps the version.
 */
import { bakalariDate, compactDate, dayFromCompact, dayKind, weekday } from "./calendar";
import { HOURS, SERVICE_USER_ID, type Atom, type Group, type School, type Student, type SubjectKind } from "./model";

const CYCLES = [
  { Id: "1", Abbrev: "S", Name: "Sudý týden" },
  { Id: "2", Abbrev: "L", Name: "Lichý týden" },
];
const CYCLE_IDS = CYCLES.map((c) => c.Id);
const LESSON_MINUTES = 45;

/** Minutes from midnight, as the class book's `Start`. */
function startMinutes(hourId: number): number {
  const hour = HOURS.find((h) => h.Id === hourId)!;
  const [h, m] = hour.BeginTime.split(":").map(Number);
  return h! * 60 + m!;
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
  timetable?: string;
  week?: Map<number, LessonTemplate[]>;
  lessons?: Map<string, LessonTemplate>;
  rosters: Map<string, unknown[]>;
  classbooks: Map<string, string>;
  expected?: string;
};

export class SchoolPayloads {
  private cache: VersionCache | null = null;

  private current(school: School): VersionCache {
    if (!this.cache || this.cache.school !== school || this.cache.version !== school.version) {
      this.cache = { school, version: school.version, rosters: new Map(), classbooks: new Map() };
    }
    return this.cache;
  }

  /** Any value computed once per school version (the `/_fake/expected` body, for one). */
  expected(school: School, compute: () => string): string {
    const cache = this.current(school);
    return (cache.expected ??= compute());
  }

  timetable(school: School): string {
    const cache = this.current(school);
    return (cache.timetable ??= JSON.stringify(buildTimetable(school)));
  }

  classbook(school: School, from: number, to: number): string {
    const cache = this.current(school);
    const key = `${from}|${to}`;
    let body = cache.classbooks.get(key);
    if (body === undefined) {
      body = JSON.stringify(this.buildClassbook(school, from, to));
      // A run or a benchmark asks for one window again and again; a large school's is about 5 MB.
      if (cache.classbooks.size >= 4) cache.classbooks.clear();
      cache.classbooks.set(key, body);
    }
    return body;
  }

  /** The absence list of a lesson, or null when there is no such lesson. */
  absence(school: School, id: string): string | null {
    const parsed = parseLessonId(id);
    if (!parsed || dayKind(parsed.dayNumber, school.holidays).type !== "WorkDay") return null;
    const lesson = this.lessons(school).get(`${weekday(parsed.dayNumber)}|${parsed.hourId}|${parsed.serial}`);
    if (!lesson) return null;
    const hour = HOURS.find((h) => h.Id === lesson.atom.hourId)!;
    return JSON.stringify({
      LessonId: id,
      ClassBookRecordId: null,
      AbsencesGroups: lesson.atom.groupIds.map((gid) => {
        const group = school.groups.get(gid)!;
        return {
          StudentsAbsences: this.roster(school, group, parsed.dayNumber),
          AbsentTypeOptions: [{ AbsentType: "", AbsentKindEnabled: false, AbsentKindRequired: false, AbsentNoteEnabled: false, AbsentKinds: [], NextAbsentType: "A" }],
          Group: groupRecord(group),
        };
      }),
      HourId: lesson.atom.hourId,
      Start: startMinutes(lesson.atom.hourId),
      Duration: LESSON_MINUTES,
      Hours: [{ ...hour, Start: startMinutes(hour.Id), Duration: LESSON_MINUTES }],
      SchoolEvents: [],
    });
  }

  user(): string {
    return JSON.stringify(USER);
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

  private buildClassbook(school: School, from: number, to: number) {
    const week = this.week(school);
    const days = [];
    for (let day = from; day <= to; day++) {
      const kind = dayKind(day, school.holidays);
      const date = bakalariDate(day);
      const hours =
        kind.type !== "WorkDay"
          ? []
          : (week.get(weekday(day)) ?? []).map((t) => {
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

function buildTimetable(school: School) {
  const days = [1, 2, 3, 4, 5].map((dow) => ({
    Atoms: school.atoms
      .filter((a) => a.dayOfWeek === dow)
      .map((a) => ({
        HourId: a.hourId,
        GroupIds: a.groupIds,
        SubjectId: a.subjectId,
        TeacherId: a.teacherId,
        RoomId: a.roomId,
        CycleIds: CYCLE_IDS,
        Change: null,
        HomeworkIds: [],
        Theme: "",
      })),
    DayOfWeek: dow,
    Date: null,
    DayDescription: "",
    DayType: "WorkDay",
  }));
  // Bakaláři lists a group once per use; the whole-class group and every other first
  // English half come again, as identical duplicate entries.
  const groups: ReturnType<typeof groupRecord>[] = [];
  const classOrder = [...school.classes.keys()];
  for (const [index, classId] of classOrder.entries()) {
    const own = [...school.groups.values()].filter((g) => g.classId === classId);
    groups.push(...own.map(groupRecord));
    const whole = own.find((g) => g.kind === "whole");
    if (whole) groups.push(groupRecord(whole));
    const half = own.find((g) => g.kind === "english");
    if (half && index % 2 === 0) groups.push(groupRecord(half));
  }
  return {
    Hours: HOURS,
    Days: days,
    Classes: [...school.classes.values()].map((c) => ({ Id: c.id, Abbrev: c.abbrev, Name: c.name, StudyYear: c.grade })),
    Groups: groups,
    Subjects: [...school.subjects.values()].map((s) => ({ Id: s.id, Abbrev: s.abbrev, Name: s.name, IsLanguage: isLanguage(s.kind) })),
    Teachers: [...school.teachers.values()].map((t) => ({ Id: t.id, Abbrev: t.abbrev, Name: t.name, Email: null })),
    Rooms: [...school.rooms.values()].map((r) => ({ Id: r.id, Abbrev: r.abbrev, Name: r.name })),
    Cycles: CYCLES,
  };
}

const USER = {
  UserUID: `FAKE/${SERVICE_USER_ID}`,
  Class: { Id: null, Abbrev: null, Name: null },
  FullName: "Synchronizace rozvrhu",
  SchoolOrganizationName: "Gymnázium Fiktivní, Praha",
  SchoolType: null,
  UserType: "teacher",
  UserTypeText: "učitel",
  StudyYear: null,
  EnabledModules: [
    { Module: "Timetable", Rights: ["ShowTimetable"] },
    { Module: "Classbook", Rights: ["ShowClassbook", "ShowAbsence"] },
    { Module: "Komens", Rights: ["ShowReceivedMessages"] },
  ],
  SettingModules: { Common: { $type: "CommonModuleSettings", ActualSemester: { SemesterId: "1", From: null, To: null } } },
};
