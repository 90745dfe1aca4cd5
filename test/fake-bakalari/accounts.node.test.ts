/**
 * The school's accounts: what each one's personal timetable, class book, absence lists and
 * user record show, the assumption switches, and the control calls that list accounts,
 * change their UserType and state what each one sees.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { FakeControlError, type ExpectedRoster } from "../../dev/fake-bakalari/control";
import {
  ACCOUNTS,
  atomsOf,
  classbookLessonKeys,
  classbookPath,
  firstLessonPerGroup,
  get,
  getJson,
  idsOf,
  lessonKey,
  passwordLogin,
  QUIET_WINDOW,
  startSchool,
  tokenOf,
  useFakeSchool,
} from "./support";

const { fake, control } = useFakeSchool({ seed: 4 });
let expected: ExpectedRoster;

beforeEach(async () => {
  expected = await control.expected();
});

/** One full school week without a public holiday: every lesson of the week once. */
const QUIET_WEEK = { from: "2026-01-05T00:00:00.000", to: "2026-01-09T00:00:00.000" };

const timetableOf = async (username: string) => getJson(fake.url, "/api/3/timetable/permanent", await tokenOf(fake.url, username));
const classbookOf = async (username: string, window = QUIET_WEEK) =>
  get(fake.url, classbookPath(window), await tokenOf(fake.url, username));
const personOf = async (username: string) => (await control.accounts()).accounts.find((a) => a.username === username)!.personId;
const classOfGroup = (timetable: any) => new Map<string, string>(timetable.Groups.map((g: any) => [g.Id, g.ClassId]));

/** The lessons of the whole school's timetable that one teacher teaches, as lesson keys. */
async function lessonsTaughtBy(teacherId: string): Promise<Set<string>> {
  const school = await timetableOf(ACCOUNTS.management);
  return new Set(
    atomsOf(school)
      .filter((a) => a.TeacherId === teacherId)
      .map((a) => lessonKey(a.DayOfWeek, a.HourId, a.GroupIds)),
  );
}

describe("the accounts", () => {
  it("are the management, a teacher, a student and its parent, each signing in with the school's password as its own person", async () => {
    const { accounts } = await control.accounts();
    expect(accounts.map((a) => [a.username, a.kind, a.userType])).toEqual([
      ["sync-service", "management", "headmastership"],
      ["ucitel", "teacher", "teacher"],
      ["zak", "student", "student"],
      ["rodic", "parent", "parents"],
    ]);
    const [management, teacher, student, parent] = accounts.map((a) => a.personId);
    const teacherIds = expected.teachers.map((t) => t.id);
    const studentIds = expected.students.map((s) => s.id);
    expect(management).toBe(teacherIds[0]);
    expect(teacherIds).toContain(teacher);
    expect(teacher).not.toBe(management);
    expect(studentIds).toContain(student);
    expect([...teacherIds, ...studentIds]).not.toContain(parent);
    for (const account of accounts) {
      expect((await passwordLogin(fake.url, account.username))["bak:UserId"], account.username).toBe(account.personId);
    }
  });

  it("share the password that /_fake/auth changes; a reset's username renames the management account only", async () => {
    await control.auth({ password: "new-one" });
    for (const username of Object.values(ACCOUNTS)) {
      await expect(passwordLogin(fake.url, username), username).rejects.toThrow(/invalid_grant/);
      expect((await passwordLogin(fake.url, username, "new-one")).access_token, username).toBeTruthy();
    }
    await control.reset({ username: "vedeni", password: "pw" });
    expect((await control.accounts()).accounts.map((a) => a.username)).toEqual(["vedeni", "ucitel", "zak", "rodic"]);
    await expect(passwordLogin(fake.url, ACCOUNTS.management, "pw")).rejects.toThrow(/invalid_grant/);
    expect((await passwordLogin(fake.url, "zak", "pw")).access_token).toBeTruthy();
    await control.reset({ username: ACCOUNTS.management, password: "test-password" });
  });

  it("picks a teacher who teaches a whole class and a split group, in two classes or more", async () => {
    const teacherId = await personOf(ACCOUNTS.teacher);
    const timetable = await timetableOf(ACCOUNTS.management);
    const groups = new Map<string, any>(timetable.Groups.map((g: any) => [g.Id, g]));
    const taught = atomsOf(timetable)
      .filter((a) => a.TeacherId === teacherId)
      .flatMap((a) => a.GroupIds.map((id: string) => groups.get(id)));
    expect(taught.some((g) => /celá třída\s*$/.test(g.Name))).toBe(true);
    expect(taught.some((g) => / (AJ\d|NJ|FJ|RJ|TVch|TVd)$/.test(g.Abbrev))).toBe(true);
    expect(new Set(taught.map((g) => g.ClassId)).size).toBeGreaterThanOrEqual(2);
  });

  it("are picked the same way for the same seed", async () => {
    const twin = await startSchool({ seed: 4 });
    try {
      expect(await twin.control.accounts()).toEqual(await control.accounts());
    } finally {
      await twin.fake.close();
    }
  });

  it("follow their student: moved, the student account shows its new class; dropped, the next student takes its place", async () => {
    const studentId = await personOf(ACCOUNTS.student);
    const toClassId = expected.classes[expected.classes.length - 1]!.id;
    await control.change({ op: "moveStudent", studentId, toClassId });
    expect(idsOf(await timetableOf(ACCOUNTS.student), "Classes")).toEqual([toClassId]);
    expect(idsOf(await timetableOf(ACCOUNTS.parent), "Classes")).toEqual([toClassId]);

    await control.change({ op: "dropHalf" });
    const after = await control.expected();
    const now = await personOf(ACCOUNTS.student);
    if (after.students.some((s) => s.id === studentId)) expect(now).toBe(studentId);
    else expect(after.students.map((s) => s.id)).toContain(now);
  });
});

describe("personal timetables", () => {
  it("the teacher's holds only its own lessons, and the classes, groups, subjects and teachers of those", async () => {
    const teacherId = await personOf(ACCOUNTS.teacher);
    const timetable = await timetableOf(ACCOUNTS.teacher);
    const atoms = atomsOf(timetable);
    expect(atoms.length).toBeGreaterThan(0);
    for (const atom of atoms) expect(atom.TeacherId).toBe(teacherId);
    expect(new Set(atoms.map((a) => lessonKey(a.DayOfWeek, a.HourId, a.GroupIds)))).toEqual(await lessonsTaughtBy(teacherId));

    const groupIds = [...new Set<string>(atoms.flatMap((a) => a.GroupIds))].sort();
    expect([...idsOf(timetable, "Groups")].sort()).toEqual(groupIds);
    const classes = classOfGroup(timetable);
    expect([...idsOf(timetable, "Classes")].sort()).toEqual([...new Set(groupIds.map((id) => classes.get(id)!))].sort());
    expect([...idsOf(timetable, "Subjects")].sort()).toEqual([...new Set<string>(atoms.map((a) => a.SubjectId))].sort());
    expect(idsOf(timetable, "Teachers")).toEqual([teacherId]);
    const rooms = new Set(idsOf(timetable, "Rooms"));
    for (const atom of atoms) if (atom.RoomId !== "") expect(rooms.has(atom.RoomId)).toBe(true);
    expect(groupIds.length).toBeLessThan(idsOf(await timetableOf(ACCOUNTS.management), "Groups").length);

    // Its (subject, class) pairs are exactly its teaching assignments.
    const pairs = new Set(atoms.flatMap((a) => a.GroupIds.map((g: string) => `${a.SubjectId}|${classes.get(g)}`)));
    const assigned = new Set(expected.teachingAssignments.filter((e) => e.userId === teacherId).map((e) => `${e.subjectId}|${e.classId}`));
    expect(pairs).toEqual(assigned);
  });

  it("the student's holds its own class and its own groups only, and the parent's is the same", async () => {
    const studentId = await personOf(ACCOUNTS.student);
    const student = expected.students.find((s) => s.id === studentId)!;
    const timetable = await timetableOf(ACCOUNTS.student);
    expect(idsOf(timetable, "Classes")).toEqual([student.classId]);
    for (const group of timetable.Groups) expect(group.ClassId).toBe(student.classId);
    // Whole class, an English half, a language group and PE (a shared PE lesson shows its own group only).
    const groupIds = new Set<string>(atomsOf(timetable).flatMap((a) => a.GroupIds));
    expect(groupIds.size).toBe(4);
    expect([...groupIds].sort()).toEqual([...idsOf(timetable, "Groups")].sort());
    const subjects = new Set(expected.studentEnrollments.filter((e) => e.userId === studentId).map((e) => e.subjectId));
    expect(new Set(atomsOf(timetable).map((a) => a.SubjectId))).toEqual(subjects);
    expect([...idsOf(timetable, "Subjects")].sort()).toEqual([...subjects].sort());
    expect(new Set(idsOf(timetable, "Teachers"))).toEqual(new Set(atomsOf(timetable).map((a) => a.TeacherId)));

    const parent = await get(fake.url, "/api/3/timetable/permanent", await tokenOf(fake.url, ACCOUNTS.parent));
    expect(parent.text).toBe(JSON.stringify(timetable));
  });

  it("the management's is the whole school, or only its own lessons with managementTimetable: own", async () => {
    const school = await timetableOf(ACCOUNTS.management);
    expect(idsOf(school, "Classes")).toEqual(expected.classes.map((c) => c.id));
    expect(idsOf(school, "Subjects")).toEqual(expected.subjects.map((s) => s.id));
    expect(idsOf(school, "Teachers")).toEqual(expected.teachers.map((t) => t.id));

    await control.setAssumptions({ managementTimetable: "own" });
    const headmasterId = await personOf(ACCOUNTS.management);
    const own = await timetableOf(ACCOUNTS.management);
    expect(new Set(atomsOf(own).map((a) => lessonKey(a.DayOfWeek, a.HourId, a.GroupIds)))).toEqual(await lessonsTaughtBy(headmasterId));
    expect(idsOf(own, "Teachers")).toEqual(atomsOf(own).length > 0 ? [headmasterId] : []);
  });

  it("the teacher's is its own lessons, or the whole school with teacherTimetable: school", async () => {
    const teacherId = await personOf(ACCOUNTS.teacher);
    const own = await timetableOf(ACCOUNTS.teacher);
    expect(new Set(atomsOf(own).map((a) => lessonKey(a.DayOfWeek, a.HourId, a.GroupIds)))).toEqual(await lessonsTaughtBy(teacherId));

    await control.setAssumptions({ teacherTimetable: "school" });
    const school = await timetableOf(ACCOUNTS.teacher);
    expect(idsOf(school, "Classes")).toEqual(expected.classes.map((c) => c.id));
    expect(idsOf(school, "Teachers")).toEqual(expected.teachers.map((t) => t.id));
  });
});

describe("class books", () => {
  it("the management's covers every lesson; with managementClassbook: own, only its own", async () => {
    const all = await getJson(fake.url, classbookPath(QUIET_WEEK), await tokenOf(fake.url, ACCOUNTS.management));
    const school = await timetableOf(ACCOUNTS.management);
    expect(classbookLessonKeys(all)).toEqual(new Set(atomsOf(school).map((a) => lessonKey(a.DayOfWeek, a.HourId, a.GroupIds))));

    await control.setAssumptions({ managementClassbook: "own" });
    const own = JSON.parse((await classbookOf(ACCOUNTS.management)).text);
    expect(classbookLessonKeys(own)).toEqual(await lessonsTaughtBy(await personOf(ACCOUNTS.management)));
  });

  it("the teacher's covers its own lessons; with teacherClassbook: school, every lesson", async () => {
    const own = await classbookOf(ACCOUNTS.teacher);
    expect(own.status).toBe(200);
    const lessons = classbookLessonKeys(JSON.parse(own.text));
    expect(lessons.size).toBeGreaterThan(0);
    expect(lessons).toEqual(await lessonsTaughtBy(await personOf(ACCOUNTS.teacher)));

    await control.setAssumptions({ teacherClassbook: "school" });
    expect((await classbookOf(ACCOUNTS.teacher)).text).toBe((await classbookOf(ACCOUNTS.management)).text);
  });

  it("refuses the student and the parent with 403 and a Message, whatever the switches", async () => {
    await control.setAssumptions({ managementClassbook: "own", teacherClassbook: "school" });
    for (const username of [ACCOUNTS.student, ACCOUNTS.parent]) {
      const answer = await classbookOf(username);
      expect(answer.status, username).toBe(403);
      expect(JSON.parse(answer.text), username).toEqual({ Message: expect.any(String) });
      // Before the query is even looked at.
      expect((await get(fake.url, "/api/3/classbook", await tokenOf(fake.url, username))).status).toBe(403);
    }
  });
});

describe("absence lists", () => {
  /** A lesson of the window that the teacher teaches, and one it does not. */
  async function lessons() {
    const all = JSON.parse((await classbookOf(ACCOUNTS.management)).text);
    const own = new Set([...firstLessonPerGroup(JSON.parse((await classbookOf(ACCOUNTS.teacher)).text)).values()]);
    const every = [...firstLessonPerGroup(all).values()];
    return { own: [...own][0]!, other: every.find((id) => !own.has(id))! };
  }
  const absence = async (username: string, lessonId: string) =>
    get(fake.url, `/api/3/lesson/${lessonId}/absence`, await tokenOf(fake.url, username));

  it("answers a lesson the account's class book shows, and 403 for another; 404 for no lesson", async () => {
    const { own, other } = await lessons();
    expect((await absence(ACCOUNTS.teacher, own)).status).toBe(200);
    const refused = await absence(ACCOUNTS.teacher, other);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toEqual({ Message: expect.any(String) });
    expect((await absence(ACCOUNTS.teacher, "202601050299999")).status).toBe(404);
    expect((await absence(ACCOUNTS.management, other)).status).toBe(200);

    await control.setAssumptions({ teacherClassbook: "school" });
    expect((await absence(ACCOUNTS.teacher, other)).status).toBe(200);
    await control.setAssumptions({ managementClassbook: "own" });
    const headmasterLessons = await lessonsTaughtBy(await personOf(ACCOUNTS.management));
    const outside = JSON.parse((await classbookOf(ACCOUNTS.teacher)).text).Days.flatMap((d: any) =>
      d.Hours.filter(
        (h: any) =>
          !headmasterLessons.has(
            lessonKey(
              d.DayOfWeek,
              h.HourId,
              h.Groups.map((g: any) => g.Id),
            ),
          ),
      ),
    )[0];
    expect((await absence(ACCOUNTS.management, outside.LessonId)).status).toBe(403);
  });

  it("refuses the student and the parent, for any lesson", async () => {
    const { own, other } = await lessons();
    for (const username of [ACCOUNTS.student, ACCOUNTS.parent]) {
      for (const id of [own, other, "not-a-lesson"]) expect((await absence(username, id)).status, `${username} ${id}`).toBe(403);
    }
  });
});

describe("GET /api/3/user", () => {
  const userOf = async (username: string) => getJson(fake.url, "/api/3/user", await tokenOf(fake.url, username));
  const modules = (user: any) => user.EnabledModules.map((m: any) => m.Module);

  it("answers each account's own record", async () => {
    const { accounts } = await control.accounts();
    for (const account of accounts) {
      const user = await userOf(account.username);
      expect(user.UserType, account.username).toBe(account.userType);
      expect(user.UserUID, account.username).toContain(account.personId);
      expect(typeof user.FullName, account.username).toBe("string");
      expect(user.FullName, account.username).not.toBe("");
    }
    for (const username of [ACCOUNTS.management, ACCOUNTS.teacher]) {
      const user = await userOf(username);
      expect(user.Class).toEqual({ Id: null, Abbrev: null, Name: null });
      expect(modules(user)).toContain("Classbook");
    }
    const classRecord = (await timetableOf(ACCOUNTS.student)).Classes[0];
    for (const username of [ACCOUNTS.student, ACCOUNTS.parent]) {
      const user = await userOf(username);
      expect(user.Class).toEqual({ Id: classRecord.Id, Abbrev: classRecord.Abbrev, Name: classRecord.Name });
      expect(modules(user)).not.toContain("Classbook");
      expect(modules(user)).toContain("Timetable");
    }
  });

  it("reports the UserType that POST /_fake/accounts sets, while the account behaves as before", async () => {
    for (const [username, userType] of [
      [ACCOUNTS.student, "Students"],
      [ACCOUNTS.parent, "PARENT"],
      [ACCOUNTS.teacher, "teachers"],
      [ACCOUNTS.management, ""],
    ] as const) {
      const answer = await control.setUserType(username, userType);
      expect(answer).toEqual({ ok: true, account: expect.objectContaining({ username, userType }) });
      expect((await userOf(username)).UserType).toBe(userType);
    }
    expect((await classbookOf(ACCOUNTS.student)).status).toBe(403);
    expect((await classbookOf(ACCOUNTS.teacher)).status).toBe(200);
    expect((await control.accounts()).accounts.map((a) => a.userType)).toEqual(["", "teachers", "Students", "PARENT"]);

    await control.reset();
    expect((await control.accounts()).accounts.map((a) => a.userType)).toEqual(["headmastership", "teacher", "student", "parents"]);
  });

  it("refuses an unknown account or a body that does not fit", async () => {
    for (const body of [
      { username: "nobody", userType: "teacher" },
      { username: "zak" },
      { username: "zak", userType: 3 },
      { username: "zak", userType: "x", kind: "teacher" },
    ]) {
      const response = await fetch(`${fake.url}/_fake/accounts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ ok: false, error: expect.any(String) });
    }
    await expect(control.setUserType("nobody", "teacher")).rejects.toBeInstanceOf(FakeControlError);
  });
});

describe("/_fake/visible", () => {
  it("states what each account's own timetable and class book show", async () => {
    for (const settings of [{}, { managementTimetable: "own", managementClassbook: "own", teacherClassbook: "school" }] as const) {
      await control.setAssumptions(settings);
      for (const username of Object.values(ACCOUNTS)) {
        const visible = await control.visible(username);
        const timetable = await timetableOf(username);
        expect(visible.timetableClassIds, username).toEqual(idsOf(timetable, "Classes"));
        expect(visible.timetableGroupIds, username).toEqual(idsOf(timetable, "Groups"));
        expect(visible.timetableSubjectIds, username).toEqual(idsOf(timetable, "Subjects"));
        expect(visible.timetableTeacherIds, username).toEqual(idsOf(timetable, "Teachers"));
        const classbook = await classbookOf(username, QUIET_WINDOW);
        const shown = classbook.status === 200 ? [...firstLessonPerGroup(JSON.parse(classbook.text)).keys()] : [];
        expect([...visible.classbookGroupIds].sort(), username).toEqual(shown.sort());
      }
    }
  });

  it("shows a student no class book, and the teacher fewer groups than the school", async () => {
    expect((await control.visible(ACCOUNTS.student)).classbookGroupIds).toEqual([]);
    const teacher = await control.visible(ACCOUNTS.teacher);
    const school = await control.visible(ACCOUNTS.management);
    expect(teacher.classbookGroupIds.length).toBeGreaterThan(0);
    expect(teacher.classbookGroupIds.length).toBeLessThan(school.classbookGroupIds.length);
    expect(school.timetableClassIds).toEqual(expected.classes.map((c) => c.id));
  });

  it("refuses an unknown or missing username", async () => {
    await expect(control.visible("nobody")).rejects.toMatchObject({ status: 400 });
    expect((await get(fake.url, "/_fake/visible")).status).toBe(400);
  });
});

describe("/_fake/assumptions", () => {
  it("answers the defaults, merges what a POST gives, refuses what does not fit, and reset restores them", async () => {
    const defaults = { managementTimetable: "school", managementClassbook: "school", teacherTimetable: "own", teacherClassbook: "own" };
    expect(await control.assumptions()).toEqual(defaults);
    expect(await control.setAssumptions({ teacherClassbook: "school" })).toEqual({
      ok: true,
      assumptions: { ...defaults, teacherClassbook: "school" },
    });
    expect(await control.setAssumptions({ managementTimetable: "own" })).toEqual({
      ok: true,
      assumptions: { ...defaults, teacherClassbook: "school", managementTimetable: "own" },
    });
    for (const body of [{ teacherClassbook: "everything" }, { studentClassbook: "own" }, { managementTimetable: null }]) {
      await expect(control.setAssumptions(body as never), JSON.stringify(body)).rejects.toMatchObject({ status: 400 });
    }
    await control.reset();
    expect(await control.assumptions()).toEqual(defaults);
  });
});
