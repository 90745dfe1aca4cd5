/**
 * What a run saw whole, per class and for the catalog (RosterScope, for the planner), and
 * how much it saw (Coverage, for people), with one warning per kind of blind spot. Pure.
 */
import { accountKind, timetableMayBeWhole } from "./account";
import { PUBLIC_OFF, type Catalog, type PublicInput } from "./catalog";
import type { Classbook } from "./schemas";
import { ROSTER_WARNING } from "../codes";
import {
  q,
  type Coverage,
  type DroppedRecord,
  type ExemptReason,
  type Roster,
  type RosterClass,
  type RosterGroup,
  type RosterWarning,
} from "./roster";

/** What the judgement needs of a run's reads. */
export type SeenInput = {
  /** The account's UserType; null when it could not be read. */
  userType: string | null;
  /** The account's own person id (from UserUID), when known. */
  personId?: string | null;
  catalog: Catalog;
  /** Null when the class book was not read (the account may not read it). */
  classbook: Classbook | null;
  /** The lessons whose absence lists were to be read. */
  lessons: { lessonId: string; groupIds: string[] }[];
  /** Records the payloads dropped in validation. */
  dropped: DroppedRecord[];
  /** The public timetable the catalog was built with (off when absent). */
  publicTimetable?: PublicInput;
};

/**
 * The whole-class group: the one whose abbreviation is the class's own, as in every public
 * capture (class "X.A" has group "0C" "X.A" beside "X.A Chl", "X.A NjV1"). Every pupil of the
 * class is in it, so only its roster shows a class's pupils whole.
 */
const isWholeClassGroup = (group: { abbrev: string }, cls: { abbrev: string }) => group.abbrev.trim() === cls.abbrev.trim();

/**
 * What the run saw whole (scope, for the planner) and how much (coverage, for people):
 * per class, the reason its pupils could not all be seen, or none.
 */
export function whatWasSeen(input: SeenInput, groups: RosterGroup[], warnings: RosterWarning[]): Pick<Roster, "scope" | "coverage"> {
  const { catalog, classbook } = input;
  const kind = accountKind(input.userType);
  const groupDropped = input.dropped.some((d) => d.entity === "group");
  const groupsOf = new Map<string, RosterGroup[]>();
  for (const g of groups) groupsOf.set(g.classId, [...(groupsOf.get(g.classId) ?? []), g]);

  const reasonOf = (cls: RosterClass): ExemptReason | null => {
    if (!classbook) return "account_scope";
    if (classbook.lessons.length === 0) return "holidays";
    if (groupDropped) return "invalid_record";
    const own = groupsOf.get(cls.id) ?? [];
    if (own.length === 0) return "no_group_known";
    if (own.every((g) => g.roster.status === "no_lesson")) return "not_in_classbook";
    if (own.some((g) => g.roster.status === "failed")) return "request_failed";
    if (own.some((g) => g.roster.status === "no_lesson")) return "no_lesson";
    if (!own.some((g) => isWholeClassGroup(g, cls))) return "no_whole_class_group";
    return null;
  };
  const exempt: Coverage["rosters"]["exempt"] = [];
  const studentsComplete: string[] = [];
  for (const cls of catalog.classes) {
    const reason = reasonOf(cls);
    if (reason) exempt.push({ classId: cls.id, reason });
    else studentsComplete.push(cls.id);
  }

  // The account's timetable stands for the whole school only for an account that is not known
  // to see just its own lessons, and whose class book shows no class the timetable lacks. A
  // public timetable read whole this run is the whole school's catalog whatever the account.
  const publicInput = input.publicTimetable ?? PUBLIC_OFF;
  const apiWhole =
    timetableMayBeWhole(kind, input.userType) && catalog.lessonsOutside === 0 && catalog.groupsOutside === 0 && !ownLessonsOnly(input);
  const catalogComplete = publicInput.status === "read" || apiWhole;
  const subjectsComplete = studentsComplete.filter((id) => apiWhole || (publicInput.view !== null && catalog.publicClassesWhole.has(id)));
  scopeWarnings(input, kind, exempt, catalogComplete, warnings);

  let read = 0;
  let reused = 0;
  let oldestReusedAt: string | null = null;
  for (const g of groups) {
    if (g.roster.status !== "read") continue;
    const from = g.roster.reusedFrom;
    if (from === undefined) read += 1;
    else {
      reused += 1;
      if (oldestReusedAt === null || from < oldestReusedAt) oldestReusedAt = from;
    }
  }
  return {
    scope: {
      catalogComplete,
      studentsComplete,
      subjectsComplete,
      teachersPartial: publicInput.view?.partialTeachers ?? [],
      dropped: input.dropped,
    },
    coverage: {
      account: { type: input.userType },
      catalog: {
        classes: catalog.classes.length,
        teachers: catalog.teachers.length,
        subjects: catalog.subjects.length,
        groups: catalog.groups.length,
        publicTimetable: publicInput.status,
        publicTimetableReadAt: publicInput.readAt,
      },
      rosters: {
        groups: catalog.groups.length,
        groupsRead: read,
        groupsReused: reused,
        oldestReusedAt,
        classes: catalog.classes.length,
        classesRead: studentsComplete.length,
        classesExempt: exempt.length,
        classesSubjectsUnverified: studentsComplete.length - subjectsComplete.length,
        exempt,
      },
    },
  };
}

/** Every lesson of the account's timetable is taught by the account's own person: it is that person's timetable, not the school's. */
function ownLessonsOnly(input: SeenInput): boolean {
  const teachers = input.catalog.timetableTeacherIds;
  return input.personId != null && teachers.size > 0 && [...teachers].every((id) => id === input.personId);
}

/** One warning per kind of blind spot, with counts and a few ids (never names). */
function scopeWarnings(
  input: SeenInput,
  kind: ReturnType<typeof accountKind>,
  exempt: Coverage["rosters"]["exempt"],
  catalogComplete: boolean,
  warnings: RosterWarning[],
): void {
  const some = (ids: string[]) => ids.slice(0, 5).map(q).join(", ") + (ids.length > 5 ? ", …" : "");
  const by = (reason: ExemptReason) => exempt.filter((e) => e.reason === reason).map((e) => e.classId);
  const outOfBook = [...by("not_in_classbook"), ...by("no_group_known")];
  if (outOfBook.length > 0) {
    warnings.push({
      code: ROSTER_WARNING.accountScope,
      message: `${outOfBook.length} class(es) have no group in this account's class book (${some(outOfBook)}); their students are left as they are`,
    });
  }
  const splitOnly = by("no_whole_class_group");
  if (splitOnly.length > 0) {
    warnings.push({
      code: ROSTER_WARNING.accountScope,
      message: `Only split groups of ${splitOnly.length} class(es) were read (${some(splitOnly)}), not the whole class; their students are left as they are`,
    });
  }
  if (input.catalog.lessonsOutside > 0 && input.lessons.length > 0) {
    warnings.push({
      code: ROSTER_WARNING.accountScope,
      message: `The class book shows ${input.catalog.lessonsOutside} lessons of ${input.catalog.groupsOutside} groups in classes the account's timetable does not list; their rosters are not read`,
    });
  }
  if (!catalogComplete && input.classbook !== null && (input.publicTimetable ?? PUBLIC_OFF).view === null) {
    const why =
      input.userType === null
        ? "the account's type could not be read"
        : kind === "teacher"
          ? "a teacher's timetable holds only its own lessons"
          : ownLessonsOnly(input)
            ? "its timetable holds only the account's own lessons"
            : "the class book shows classes its timetable lacks";
    warnings.push({
      code: ROSTER_WARNING.accountScope,
      message: `The account's timetable is not the whole school (${why}): classes, subjects, teachers and enrollments it does not show are left as they are; turn on the public timetable (BAKALARI_PUBLIC_TIMETABLE=auto) or use the school management's account`,
    });
  }
  if ((kind === "student" || kind === "parent") && !catalogComplete) {
    // The missing class book is reported once, by noRostersWarning; this names what the catalog lacks.
    warnings.push({
      code: ROSTER_WARNING.accountScope,
      message: `A ${kind} account sees only its own class's timetable: classes, subjects and teachers it does not show are left as they are`,
    });
  }
}
