/**
 * What real answers have and a client must cope with: dated permanent timetables whose
 * holidays keep their atoms, repeated group ids, rooms of "", group names with stray
 * spaces, extra fields, odd student ids and empty abbreviations, and the actual timetable
 * with its removed lesson of null ids.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ACCOUNTS, atomsOf, classbookPath, firstLessonPerGroup, get, getJson, QUIET_WINDOW, tokenOf, useFakeSchool } from "./support";

const { fake, control } = useFakeSchool({ seed: 6 });

afterEach(() => {
  vi.useRealTimers();
});

const PERMANENT = "/api/3/timetable/permanent";
const actualPath = (date: string) => `/api/3/timetable/actual?date=${date}`;
const read = async (path: string, username: string = ACCOUNTS.management) => getJson(fake.url, path, await tokenOf(fake.url, username));
/** The server runs in this process: moving Date is moving its clock (and so "this week"). */
const at = (instant: string) => vi.useFakeTimers({ toFake: ["Date"], now: new Date(instant) });
const days = (timetable: any) => timetable.Days.map((d: any) => [d.DayOfWeek, d.Date, d.DayType]);

describe("the permanent timetable's days", () => {
  it("carry the dates of this week in Prague and the calendar's DayType, and keep their atoms on a public holiday", async () => {
    at("2025-10-28T09:00:00+01:00");
    const timetable = await read(PERMANENT);
    expect(days(timetable)).toEqual([
      [1, "2025-10-27T00:00:00+01:00", "WorkDay"],
      [2, "2025-10-28T00:00:00+01:00", "Celebration"],
      [3, "2025-10-29T00:00:00+01:00", "WorkDay"],
      [4, "2025-10-30T00:00:00+01:00", "WorkDay"],
      [5, "2025-10-31T00:00:00+01:00", "WorkDay"],
    ]);
    expect(timetable.Days[1].DayDescription).not.toBe("");
    for (const day of timetable.Days) expect(day.Atoms.length).toBeGreaterThan(0);
    // The date format is the class book's.
    const classbook = await read(classbookPath({ from: "2025-10-27", to: "2025-10-27" }));
    expect(classbook.Days[0].Date).toBe(timetable.Days[0].Date);
  });

  it("take a weekend as the week before it, and Prague's date, not UTC's", async () => {
    at("2026-01-10T23:30:00Z"); // Sunday 00:30 in Prague
    expect(days(await read(PERMANENT))[0]).toEqual([1, "2026-01-05T00:00:00+01:00", "WorkDay"]);
    at("2026-01-11T23:30:00Z"); // Monday 00:30 in Prague
    expect(days(await read(PERMANENT))[0]).toEqual([1, "2026-01-12T00:00:00+01:00", "WorkDay"]);
  });

  it("are Holiday every day while the holidays switch is on, atoms and all, as staly.json shows", async () => {
    at("2026-01-07T10:00:00+01:00");
    const before = await read(PERMANENT, ACCOUNTS.student);
    await control.change({ op: "holidays", on: true });
    const during = await read(PERMANENT, ACCOUNTS.student);
    expect(during.Days.map((d: any) => d.DayType)).toEqual(["Holiday", "Holiday", "Holiday", "Holiday", "Holiday"]);
    expect(during.Days.map((d: any) => d.Atoms)).toEqual(before.Days.map((d: any) => d.Atoms));
  });
});

describe("records of the timetables", () => {
  it("repeat a group id in one lesson of every class, which the student sees too", async () => {
    for (const username of [ACCOUNTS.management, ACCOUNTS.student]) {
      const timetable = await read(PERMANENT, username);
      const repeated = atomsOf(timetable).filter((a) => new Set(a.GroupIds).size < a.GroupIds.length);
      expect(repeated.length, username).toBe(username === ACCOUNTS.management ? timetable.Classes.length : 1);
      for (const atom of repeated) expect(atom.GroupIds).toEqual([atom.GroupIds[0], atom.GroupIds[0]]);
    }
  });

  it('have lessons with RoomId "", and list every other room', async () => {
    for (const username of [ACCOUNTS.management, ACCOUNTS.student]) {
      const timetable = await read(PERMANENT, username);
      const atoms = atomsOf(timetable);
      expect(atoms.filter((a) => a.RoomId === "").length, username).toBeGreaterThan(0);
      const rooms = new Set(timetable.Rooms.map((r: any) => r.Id));
      for (const atom of atoms) if (atom.RoomId !== "") expect(rooms.has(atom.RoomId)).toBe(true);
    }
  });

  it("have group names with a leading or a trailing space, the same everywhere a group appears", async () => {
    const timetable = await read(PERMANENT);
    const stray = timetable.Groups.filter((g: any) => g.Name !== g.Name.trim());
    expect(stray.some((g: any) => g.Name.startsWith(" "))).toBe(true);
    expect(stray.some((g: any) => g.Name.endsWith(" "))).toBe(true);
    const classbook = await read(classbookPath(QUIET_WINDOW));
    const inClassbook = new Map<string, string>(
      classbook.Days.flatMap((d: any) => d.Hours.flatMap((h: any) => h.Groups.map((g: any) => [g.Id, g.Name]))),
    );
    for (const group of stray) expect(inClassbook.get(group.Id)).toBe(group.Name);
  });

  it("carry extra fields on atoms and class book hours", async () => {
    const atom = atomsOf(await read(PERMANENT))[0];
    expect(atom).toMatchObject({
      IsLastRoomLesson: expect.any(Boolean),
      Homeworks: [],
      Assistants: [],
      Notice: "",
      LessonRelease: expect.any(String),
    });
    const hour = (await read(classbookPath(QUIET_WINDOW))).Days[0].Hours[0];
    expect(hour).toMatchObject({ Students: [], Homeworks: [], Notice: "" });
  });
});

describe("students", () => {
  it("have some ids not shaped U…, and some an empty Abbrev with a Name, in the absence lists", async () => {
    const expected = await control.expected();
    const odd = expected.students.filter((s) => !s.id.startsWith("U"));
    expect(odd.length).toBeGreaterThan(0);
    for (const s of odd) expect(s.id).toMatch(/^[A-TV-Z][0-9A-Z]{4}$/);
    const teacherIds = new Set(expected.teachers.map((t) => t.id));
    expect(expected.students.filter((s) => teacherIds.has(s.id))).toEqual([]);

    const token = await tokenOf(fake.url, ACCOUNTS.management);
    const lessons = [...new Set(firstLessonPerGroup(await getJson(fake.url, classbookPath(QUIET_WINDOW), token)).values())];
    const listed = new Map<string, any>();
    for (const id of lessons) {
      const absence = await getJson(fake.url, `/api/3/lesson/${id}/absence`, token);
      for (const group of absence.AbsencesGroups) for (const entry of group.StudentsAbsences) listed.set(entry.Student.Id, entry.Student);
    }
    const noAbbrev = [...listed.values()].filter((s) => s.Abbrev === "");
    expect(noAbbrev.length).toBeGreaterThan(0);
    for (const s of noAbbrev) expect(s.Name).not.toBe("");
    for (const s of odd) expect(listed.has(s.id)).toBe(true);
  });
});

describe("the actual timetable", () => {
  it("holds the account's own lessons of the week of the date, and one removed lesson with null ids", async () => {
    const permanent = await read(PERMANENT, ACCOUNTS.teacher);
    const actual = await read(actualPath("2026-01-07"), ACCOUNTS.teacher);
    expect(days(actual).map((d: any[]) => d[1])).toEqual(
      ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09"].map((d) => `${d}T00:00:00+01:00`),
    );
    const removed = atomsOf(actual).filter((a) => a.SubjectId === null);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ GroupIds: [], SubjectId: null, TeacherId: null, RoomId: null, Change: { ChangeType: "Removed" } });
    expect(removed[0].DayOfWeek).toBe(5);
    const key = (a: any) => JSON.stringify([a.DayOfWeek, a.HourId, a.GroupIds, a.SubjectId, a.TeacherId, a.RoomId]);
    expect(
      atomsOf(actual)
        .filter((a) => a.SubjectId !== null)
        .map(key),
    ).toEqual(atomsOf(permanent).map(key));
    expect(actual.Classes).toEqual(permanent.Classes);
    expect(actual.Teachers).toEqual(permanent.Teachers);
  });

  it("has no lessons on a public holiday, and lists nothing but its days in a week of holidays", async () => {
    const celebration = await read(actualPath("2025-10-28"), ACCOUNTS.student);
    expect(celebration.Days[1]).toMatchObject({ DayType: "Celebration", Atoms: [] });
    expect(celebration.Days[0].Atoms.length).toBeGreaterThan(0);

    await control.change({ op: "holidays", on: true });
    const holidays = await read(actualPath("2026-01-07"), ACCOUNTS.student);
    expect(holidays.Days.map((d: any) => [d.DayType, d.Atoms])).toEqual(Array(5).fill(["Holiday", []]));
    for (const list of ["Classes", "Groups", "Subjects", "Teachers", "Rooms", "Cycles"]) expect(holidays[list], list).toEqual([]);
    expect(holidays.Hours.length).toBeGreaterThan(0);
  });

  it("takes this week without a date, and refuses a bad date with the documented 400", async () => {
    at("2026-01-14T10:00:00+01:00");
    expect(days(await read("/api/3/timetable/actual"))[0][1]).toBe("2026-01-12T00:00:00+01:00");
    vi.useRealTimers();
    const token = await tokenOf(fake.url, ACCOUNTS.teacher);
    for (const date of ["yesterday", "2026-02-30", ""]) {
      const answer = await get(fake.url, actualPath(date), token);
      expect(answer.status, date).toBe(400);
      expect(JSON.parse(answer.text), date).toMatchObject({ Message: "The request is invalid.", ModelState: expect.any(Object) });
    }
    expect((await control.stats()).requests.byEndpoint["GET /api/3/timetable/actual"]).toBe(4);
  });
});
