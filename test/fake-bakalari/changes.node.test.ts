/**
 * Every change op changes `/_fake/expected` as it says, and the served payloads
 * change with it (the reference reader's roster equals the oracle after each).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { FakeControlError, type ExpectedRoster } from "../../dev/fake-bakalari/control";
import { canonical, classbookPath, getJson, passwordLogin, QUIET_WINDOW, readServedRoster, startSchool, useFakeSchool } from "./support";

const { fake, control } = useFakeSchool({ seed: 5 });
let before: ExpectedRoster;

beforeEach(async () => {
  before = await control.expected();
});

/** Reads the school as a client would and holds it against the oracle; returns the oracle. */
async function servedMatchesOracle(): Promise<ExpectedRoster> {
  const { access_token: token } = await passwordLogin(fake.url);
  const expected = await control.expected();
  expect(canonical(await readServedRoster(fake.url, token))).toEqual(canonical(expected));
  return expected;
}

const studentById = (roster: ExpectedRoster, id: string) => roster.students.find((s) => s.id === id);
const enrollmentsOf = (roster: ExpectedRoster, id: string) => roster.studentEnrollments.filter((e) => e.userId === id);

describe("moveStudent", () => {
  it("moves a deterministic pick to another class with its groups", async () => {
    const moved = await control.change({ op: "moveStudent" });
    expect(moved.ok).toBe(true);
    expect(moved.toClassId).not.toBe(moved.fromClassId);
    expect(studentById(before, moved.studentId)!.classId).toBe(moved.fromClassId);
    const after = await servedMatchesOracle();
    expect(studentById(after, moved.studentId)!.classId).toBe(moved.toClassId);
    const classes = new Set(enrollmentsOf(after, moved.studentId).map((e) => e.classId));
    expect([...classes]).toEqual([moved.toClassId]);
    expect(enrollmentsOf(after, moved.studentId).length).toBeGreaterThanOrEqual(4);
  });

  it("moves the student named, to the class named, and leaves the whitespace twin alone", async () => {
    const target = before.classes[before.classes.length - 1]!.id;
    const moved = await control.change({ op: "moveStudent", studentId: "U  12", toClassId: target });
    expect(moved).toEqual({ ok: true, studentId: "U  12", fromClassId: " 6", toClassId: target });
    const after = await servedMatchesOracle();
    expect(studentById(after, "U  12")!.classId).toBe(target);
    expect(studentById(after, "U 12")!.classId).toBe(" 6");
  });

  it("refuses an unknown student, an unknown class, or the student's own class", async () => {
    for (const change of [
      { op: "moveStudent" as const, studentId: "U  13x" },
      { op: "moveStudent" as const, studentId: "U  12", toClassId: "no such class" },
      { op: "moveStudent" as const, studentId: "U  12", toClassId: " 6" },
    ]) {
      const error = await control.change(change).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FakeControlError);
      expect((error as FakeControlError).status).toBe(400);
    }
    expect(await control.expected()).toEqual(before);
  });
});

describe("renameSubject", () => {
  it("renames the subject in the oracle and in the timetable", async () => {
    const subject = before.subjects[0]!;
    const renamed = await control.change({ op: "renameSubject", subjectId: subject.id, name: "Český jazyk (nově)" });
    expect(renamed).toMatchObject({ ok: true, subjectId: subject.id, name: "Český jazyk (nově)" });
    const after = await servedMatchesOracle();
    expect(after.subjects.find((s) => s.id === subject.id)!.name).toBe("Český jazyk (nově)");
    const { access_token: token } = await passwordLogin(fake.url);
    const timetable = await getJson(fake.url, "/api/3/timetable/permanent", token);
    expect(timetable.Subjects.find((s: any) => s.Id === subject.id).Name).toBe("Český jazyk (nově)");
    const classbook = await getJson(fake.url, classbookPath(QUIET_WINDOW), token);
    const names = classbook.Days.flatMap((d: any) => d.Hours)
      .filter((h: any) => h.Subject.Id === subject.id)
      .map((h: any) => h.Subject.Name);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set(["Český jazyk (nově)"]));
  });
});

describe("addStudents and dropStudents", () => {
  it("adds new students to a class and its groups", async () => {
    const classId = before.classes[2]!.id;
    const added = await control.change({ op: "addStudents", classId, count: 3 });
    expect(added.classId).toBe(classId);
    expect(added.studentIds).toHaveLength(3);
    const after = await servedMatchesOracle();
    expect(after.students).toHaveLength(before.students.length + 3);
    for (const id of added.studentIds) {
      expect(studentById(before, id)).toBeUndefined();
      expect(studentById(after, id)!.classId).toBe(classId);
      expect(new Set(enrollmentsOf(after, id).map((e) => e.classId))).toEqual(new Set([classId]));
      // Whole class, an English half, a language and PE: the class's whole-class subjects and three more.
      expect(enrollmentsOf(after, id).length).toBeGreaterThanOrEqual(6);
    }
  });

  it("drops students from the school", async () => {
    const dropped = await control.change({ op: "dropStudents", count: 4 });
    expect(dropped.studentIds).toHaveLength(4);
    const after = await servedMatchesOracle();
    expect(after.students).toHaveLength(before.students.length - 4);
    for (const id of dropped.studentIds) {
      expect(studentById(before, id)).toBeDefined();
      expect(studentById(after, id)).toBeUndefined();
      expect(enrollmentsOf(after, id)).toEqual([]);
    }
  });
});

describe("dropHalf", () => {
  it("makes half the classes vanish with their students and groups", async () => {
    const dropped = await control.change({ op: "dropHalf" });
    expect(dropped.classIds).toHaveLength(before.classes.length / 2);
    const after = await servedMatchesOracle();
    expect(after.classes).toHaveLength(before.classes.length / 2);
    for (const id of dropped.classIds) expect(after.classes.map((c) => c.id)).not.toContain(id);
    const gone = new Set(dropped.classIds);
    expect(dropped.studentIds.length).toBe(before.students.filter((s) => gone.has(s.classId)).length);
    expect(after.students.length).toBe(before.students.length - dropped.studentIds.length);
    expect(after.studentEnrollments.filter((e) => gone.has(e.classId))).toEqual([]);
    expect(after.teachingAssignments.filter((e) => gone.has(e.classId))).toEqual([]);
    expect(after.teachers).toEqual(before.teachers);
  });
});

describe("holidays", () => {
  it("empties the class book without touching the roster", async () => {
    const { access_token: token } = await passwordLogin(fake.url);
    await control.change({ op: "holidays", on: true });
    const classbook = await getJson(fake.url, classbookPath(QUIET_WINDOW), token);
    expect(classbook.Days.flatMap((d: any) => d.Hours)).toEqual([]);
    expect(await control.expected()).toEqual(before);
    await control.change({ op: "holidays", on: false });
    await servedMatchesOracle();
  });
});

describe("churn", () => {
  it("moves, drops, adds and renames about that share of the roster", async () => {
    const churned = await control.change({ op: "churn", fraction: 0.1 });
    const n = churned.moved.length + churned.dropped.length + churned.added.length + churned.renamedStudents.length;
    expect(n).toBeGreaterThanOrEqual(Math.round(before.students.length * 0.1) - 1);
    expect(n).toBeLessThanOrEqual(Math.round(before.students.length * 0.1) + 1);
    for (const list of [churned.moved, churned.dropped, churned.added, churned.renamedStudents, churned.renamedSubjects])
      expect(list.length).toBeGreaterThan(0);

    const after = await servedMatchesOracle();
    const was = new Map(before.students.map((s) => [s.id, s]));
    const now = new Map(after.students.map((s) => [s.id, s]));
    expect([...was.keys()].filter((id) => !now.has(id)).sort()).toEqual([...churned.dropped].sort());
    expect([...now.keys()].filter((id) => !was.has(id)).sort()).toEqual(churned.added.map((a) => a.studentId).sort());
    const movedIds = [...now.values()].filter((s) => was.has(s.id) && was.get(s.id)!.classId !== s.classId).map((s) => s.id);
    expect(movedIds.sort()).toEqual(churned.moved.map((m) => m.studentId).sort());
    const renamedIds = [...now.values()].filter((s) => was.has(s.id) && was.get(s.id)!.name !== s.name).map((s) => s.id);
    expect(renamedIds.sort()).toEqual([...churned.renamedStudents].sort());
    const renamedSubjects = after.subjects.filter((s) => before.subjects.find((b) => b.id === s.id)!.name !== s.name).map((s) => s.id);
    expect(renamedSubjects.sort()).toEqual([...churned.renamedSubjects].sort());
  });

  it("refuses a fraction outside (0, 1]", async () => {
    for (const fraction of [0, -0.5, 1.5]) {
      await expect(control.change({ op: "churn", fraction })).rejects.toMatchObject({ status: 400 });
    }
  });
});

describe("studentInTwoClasses", () => {
  it("puts a student also into a group of another class, keeping the home class", async () => {
    const result = await control.change({ op: "studentInTwoClasses", studentId: "U 12" });
    expect(result).toMatchObject({ ok: true, studentId: "U 12", classId: " 6" });
    expect(result.otherClassId).not.toBe(" 6");
    const after = await servedMatchesOracle();
    expect(studentById(after, "U 12")!.classId).toBe(" 6");
    const classes = new Set(enrollmentsOf(after, "U 12").map((e) => e.classId));
    expect(classes).toEqual(new Set([" 6", result.otherClassId]));
    expect(enrollmentsOf(before, "U 12").every((e) => e.classId === " 6")).toBe(true);
  });
});

describe("change sequences", () => {
  it("are deterministic: the same seed and the same changes give the same school", async () => {
    const twin = await startSchool({ seed: 5 });
    try {
      const sequence = [
        { op: "moveStudent" },
        { op: "addStudents", count: 2 },
        { op: "churn", fraction: 0.05 },
        { op: "studentInTwoClasses" },
        { op: "dropStudents", count: 3 },
        { op: "renameSubject", name: "Nový předmět" },
      ] as const;
      for (const change of sequence) {
        const [a, b] = await Promise.all([control.change(change), twin.control.change(change)]);
        expect(b).toEqual(a);
      }
      expect(await twin.control.expected()).toEqual(await control.expected());
      expect(await control.expected()).not.toEqual(before);
    } finally {
      await twin.fake.close();
    }
  });

  it("refuses unknown ops and malformed arguments with 400", async () => {
    for (const body of [
      { op: "explode" },
      { op: "addStudents" },
      { op: "holidays", on: "yes" },
      { op: "dropHalf", extra: 1 },
      "not json",
    ]) {
      const response = await fetch(`${fake.url}/_fake/change`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ ok: false, error: expect.any(String) });
    }
    expect(await control.expected()).toEqual(before);
  });
});
