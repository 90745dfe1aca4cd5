/** GET /api/3/user: the signed-in account's record (moduly/user.md). */
import type { Account } from "./auth";
import type { AccountKind } from "./control";
import { personOf } from "./accounts";
import { shownName, type School } from "./model";

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
export function userRecord(school: School, account: Account) {
  const family = account.kind === "student" || account.kind === "parent";
  const personId = personOf(school, account.kind);
  const student = family ? school.students.get(school.accounts.studentId) : undefined;
  const schoolClass = student ? school.classes.get(student.classId) : undefined;
  const teacher = family ? undefined : school.teachers.get(personId);
  const fullName = student ? `${shownName(student)}, ${schoolClass?.abbrev ?? ""}` : teacher ? shownName(teacher) : "";
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
