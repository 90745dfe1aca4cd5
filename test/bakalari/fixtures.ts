/**
 * Hand-written Bakaláři API v3 payloads of a tiny school, in the documented shapes,
 * with the quirks the source must survive: padded ids (" 6" vs "6", "U  12" vs "U 12"),
 * identical duplicate Groups, an empty Name, and extra fields everywhere.
 *
 * Class " 6" (1.A): whole-class group "G1", English half "G1-en1".
 * Class "6" (1.B, empty Name): whole-class group "G2", PE group "G2-pe".
 * Students " 1" and "1" (different people), "S2" in 1.A; "S3", "S4" in 1.B.
 */
export const NAMES = [
  "Anna Dvořáková",
  "Jan Novák",
  "Eva Černá",
  "Petr Svoboda",
  "Jana Nováková",
  "Karel Král",
  "Matematika",
  "Anglický jazyk",
];

export function timetable() {
  return {
    Hours: [{ Id: 2, Caption: "1", BeginTime: "8:00", EndTime: "8:45" }],
    Days: [
      {
        DayOfWeek: 1,
        Date: null,
        DayDescription: "",
        DayType: "WorkDay",
        Atoms: [
          {
            HourId: 2,
            GroupIds: ["G1"],
            SubjectId: "U  12",
            TeacherId: "T1",
            RoomId: "R1",
            CycleIds: ["1"],
            Change: null,
            HomeworkIds: [],
          },
          { HourId: 3, GroupIds: ["G1-en1"], SubjectId: "U 12", TeacherId: "T2", RoomId: "R1", CycleIds: ["1"], Change: null },
          { HourId: 4, GroupIds: ["G2"], SubjectId: "U  12", TeacherId: "T1", RoomId: "R1", CycleIds: ["1"], Change: null },
          { HourId: 5, GroupIds: ["G2-pe"], SubjectId: "7", TeacherId: "T2", RoomId: "R2", CycleIds: ["1"], Change: null },
        ],
      },
      {
        DayOfWeek: 2,
        Date: null,
        Atoms: [
          // The same (teacher, subject, class) again on another day: counted once.
          { HourId: 2, GroupIds: ["G1"], SubjectId: "U  12", TeacherId: "T1", RoomId: "R1", CycleIds: ["1"], Change: null },
        ],
      },
    ],
    Classes: [
      { Id: " 6", Abbrev: "1.A", Name: "1.A", Extra: { nested: true } },
      { Id: "6", Abbrev: "1.B", Name: "" },
    ],
    Groups: [
      { ClassId: " 6", Id: "G1", Abbrev: "1.A", Name: "celá třída" },
      { ClassId: " 6", Id: "G1", Abbrev: "1.A", Name: "celá třída" },
      { ClassId: " 6", Id: "G1-en1", Abbrev: "en1", Name: "Angličtina 1", Color: "#fff" },
      { ClassId: "6", Id: "G2", Abbrev: "1.B", Name: "celá třída" },
      { ClassId: "6", Id: "G2-pe", Abbrev: "tvD", Name: "Tělocvik dívky" },
      { ClassId: "6", Id: "G2-pe", Abbrev: "tvD", Name: "Tělocvik dívky" },
    ],
    Subjects: [
      { Id: "U  12", Abbrev: "M", Name: "Matematika" },
      { Id: "U 12", Abbrev: "Aj", Name: "Anglický jazyk", Unknown: 1 },
      { Id: "7", Abbrev: "Tv", Name: "" },
    ],
    Teachers: [
      { Id: "T1", Abbrev: "Nov", Name: "Jana Nováková" },
      { Id: "T2", Abbrev: "Krá", Name: "Karel Král" },
    ],
    Rooms: [{ Id: "R1", Abbrev: "101", Name: "" }],
    Cycles: [{ Id: "1", Abbrev: "K", Name: "Každý týden" }],
  };
}

const cbGroup = (ClassId: string, Id: string) => ({ ClassId, Id, Abbrev: Id, Name: Id });

export function classbook() {
  return {
    Hours: [],
    Days: [
      {
        Date: "2026-03-02T00:00:00+01:00",
        DayType: "WorkDay",
        Hours: [
          // Older lesson of G1: a newer one exists, so this one is not read.
          { Id: 2, LessonId: "L0", Subject: { Id: "U  12", Abbrev: "M", Name: "Matematika" }, Groups: [cbGroup(" 6", "G1")] },
        ],
      },
      {
        Date: "2026-03-09T00:00:00+01:00",
        DayType: "WorkDay",
        Hours: [
          { Id: 2, LessonId: "L1", Subject: { Id: "U  12", Abbrev: "M", Name: "Matematika" }, Groups: [cbGroup(" 6", "G1")], Theme: "x" },
          { Id: 3, LessonId: "L2", Subject: { Id: "U 12", Abbrev: "Aj", Name: "" }, Groups: [cbGroup(" 6", "G1-en1")] },
          // One lesson for two groups: one absence request covers both.
          { Id: 4, LessonId: "L3", Subject: { Id: "U  12", Abbrev: "M", Name: "" }, Groups: [cbGroup("6", "G2"), cbGroup("6", "G2-pe")] },
        ],
      },
    ],
  };
}

const student = (Id: string, Name: string) => ({
  // An empty Name comes with an Abbrev to show instead.
  Student: { Id, Abbrev: Name === "" ? Id : "", Name, RegistrationNumber: 1, IsAdult: false, Photo: null },
  Absences: [],
  StudentReleased: false,
});

export function absences(): Record<string, unknown> {
  return {
    L0: {
      LessonId: "L0",
      AbsencesGroups: [{ Group: cbGroup(" 6", "G1"), StudentsAbsences: [student(" 1", "Anna Dvořáková")] }],
    },
    L1: {
      LessonId: "L1",
      AbsencesGroups: [
        { Group: cbGroup(" 6", "G1"), StudentsAbsences: [student(" 1", "Anna Dvořáková"), student("1", "Jan Novák"), student("S2", "")] },
      ],
    },
    L2: {
      LessonId: "L2",
      AbsencesGroups: [{ Group: cbGroup(" 6", "G1-en1"), StudentsAbsences: [student(" 1", "Anna Dvořáková")], Note: "x" }],
    },
    L3: {
      LessonId: "L3",
      AbsencesGroups: [
        { Group: cbGroup("6", "G2"), StudentsAbsences: [student("S3", "Eva Černá"), student("S4", "Petr Svoboda")] },
        { Group: cbGroup("6", "G2-pe"), StudentsAbsences: [student("S3", "Eva Černá")] },
      ],
    },
  };
}
