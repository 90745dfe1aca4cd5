/**
 * The permanent and the actual timetable of a view of the school, in the shapes of
 * moduly/timetable.md and its samples (moduly/rozvrh_priklady/), and the group and
 * subject records the class book shares with them.
 */
import { bakalariDate, dayKind } from "./calendar";
import { HOURS, SCHOOL_DAYS, type Atom, type Group, type School, type Subject, type SubjectKind } from "./model";
import type { TimetableView } from "./views";

const CYCLES = [
  { Id: "1", Abbrev: "S", Name: "Sudý týden" },
  { Id: "2", Abbrev: "L", Name: "Lichý týden" },
];
const CYCLE_IDS = CYCLES.map((c) => c.Id);

const isLanguage = (kind: SubjectKind) => kind === "english" || kind === "language";

export const groupRecord = (g: Group) => ({ ClassId: g.classId, Id: g.id, Abbrev: g.abbrev, Name: g.name, Note: "" });

export const subjectRecord = (s: Subject) => ({ Id: s.id, Abbrev: s.abbrev, Name: s.name, IsLanguage: isLanguage(s.kind) });

/** The atoms that carry a repeated group id (["0C", "0C"]): each class's first whole-class lesson of the week. */
export function repeatedAtoms(school: School): Set<Atom> {
  const classes = new Set<string>();
  const atoms = new Set<Atom>();
  for (const atom of school.atoms) {
    const group = atom.groupIds.length === 1 ? school.groups.get(atom.groupIds[0]!) : undefined;
    if (group?.kind !== "whole" || classes.has(group.classId)) continue;
    classes.add(group.classId);
    atoms.add(atom);
  }
  return atoms;
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
    Subjects: view.subjects.map(subjectRecord),
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
export function buildPermanent(school: School, view: TimetableView, monday: number, repeated: Set<Atom>) {
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
export function buildActual(school: School, view: TimetableView, monday: number, repeated: Set<Atom>) {
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
