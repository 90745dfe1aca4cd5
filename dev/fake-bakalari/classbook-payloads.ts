/**
 * The class book and the absence lists (moduly/classbook.md, moduly/lesson.md): lesson
 * ids, the permanent week's lessons as templates, a window of days, and one lesson's
 * list of its groups' students.
 */
import { bakalariDate, compactDate, dayFromCompact, dayKind, weekday } from "./calendar";
import { HOURS, type Atom, type Group, type School, type Student } from "./model";
import { groupRecord, subjectRecord } from "./timetable-payloads";
import { shownGroupIds, type Scope } from "./views";

const LESSON_MINUTES = 45;

/** Minutes from midnight, as the class book's `Start`. */
function startMinutes(hourId: number): number {
  const hour = HOURS.find((h) => h.Id === hourId)!;
  const [h, m] = hour.BeginTime.split(":").map(Number);
  return h! * 60 + m!;
}

/** An hour of the timetable as the class book lists it: with its `Start` and `Duration` in minutes. */
const classbookHour = (hour: (typeof HOURS)[number]) => ({ ...hour, Start: startMinutes(hour.Id), Duration: LESSON_MINUTES });

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

/** A lesson of the permanent week with the records every date of it repeats. */
export type LessonTemplate = {
  atom: Atom;
  first: Group;
  subject: ReturnType<typeof subjectRecord>;
  groups: ReturnType<typeof groupRecord>[];
};

/** The permanent week's lessons by weekday. */
export function weekTemplates(school: School): Map<number, LessonTemplate[]> {
  const week = new Map<number, LessonTemplate[]>();
  for (const atom of school.atoms) {
    const groups = atom.groupIds.map((id) => school.groups.get(id)!);
    const template: LessonTemplate = {
      atom,
      first: groups[0]!,
      subject: subjectRecord(school.subjects.get(atom.subjectId)!),
      groups: groups.map(groupRecord),
    };
    week.set(atom.dayOfWeek, [...(week.get(atom.dayOfWeek) ?? []), template]);
  }
  return week;
}

/** The week's lessons by weekday, hour and first group's serial: what a lesson id names. */
export function lessonIndex(week: Map<number, LessonTemplate[]>): Map<string, LessonTemplate> {
  const lessons = new Map<string, LessonTemplate>();
  for (const [dow, templates] of week) {
    for (const t of templates) lessons.set(`${dow}|${t.atom.hourId}|${t.first.serial}`, t);
  }
  return lessons;
}

/** The class book of a view for the days `from`…`to`: every date a Day, lessons on work days only. */
export function classbookPayload(school: School, week: Map<number, LessonTemplate[]>, scope: Scope, from: number, to: number) {
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
  return { Days: days, Hours: HOURS.map(classbookHour), Notices: [] };
}

/** The absence list of lesson `id` (of `atom`): every current member of each of its groups, from `roster`. */
export function absencePayload(school: School, id: string, atom: Atom, roster: (group: Group) => unknown[]) {
  const hour = HOURS.find((h) => h.Id === atom.hourId)!;
  return {
    LessonId: id,
    ClassBookRecordId: null,
    AbsencesGroups: atom.groupIds.map((gid) => {
      const group = school.groups.get(gid)!;
      return {
        StudentsAbsences: roster(group),
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
    HourId: atom.hourId,
    Start: startMinutes(atom.hourId),
    Duration: LESSON_MINUTES,
    Hours: [classbookHour(hour)],
    SchoolEvents: [],
  };
}

export function studentAbsence(student: Student, dayNumber: number) {
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
