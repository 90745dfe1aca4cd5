/**
 * The Bakaláři API v3 payloads this source reads, validated with zod and turned into
 * plain camelCase values. Unknown fields are ignored (zod objects strip them). The
 * overall shape of a response must hold or the response fails with BAKALARI_PAYLOAD;
 * records inside it are validated one by one, and a malformed record is dropped with
 * a warning naming its id (or its position when it has no usable id).
 */
import { z } from "zod";
import { ROSTER_WARNING } from "../codes";
import { BakalariError, type DroppedRecord, type RosterEntity, type RosterWarning } from "./roster";

export type Entity = { id: string; abbrev: string; name: string };
export type Group = Entity & { classId: string };
/** One timetable cell: which groups have which subject with which teacher. */
export type Atom = { groupIds: string[]; subjectId: string; teacherId: string };

export type Timetable = {
  classes: Entity[];
  groups: Group[];
  subjects: Entity[];
  teachers: Entity[];
  atoms: Atom[];
};

export type ClassbookLesson = {
  lessonId: string;
  /** The day's date as Bakaláři gives it (null when it gives none). */
  date: string | null;
  groupIds: string[];
  /** The lesson's groups as the class book names them: groups the timetable may not list. */
  groups: Group[];
  /** The lesson's subject, when the class book gives a usable one. */
  subject: Entity | null;
};
/** Lessons in the order the class book lists them (oldest first). */
export type Classbook = { lessons: ClassbookLesson[] };

export type AbsenceGroup = { groupId: string; classId: string; students: Entity[] };
export type AbsenceList = {
  groups: AbsenceGroup[];
  /** Groups holding a student record without a usable id: their roster cannot be trusted. */
  incompleteGroupIds: string[];
};

/** The signed-in account (GET /api/3/user): its kind, never its name. */
export type Account = {
  userType: string | null;
  /** The person the account is (UserUID is "<school>/<person id>"), to tell its own lessons from the school's. */
  personId: string | null;
};

export type LoginResponse = { accessToken: string; refreshToken: string; expiresInSec: number };

/** A parsed payload, the warnings about it, and the records it dropped (as data, for the planner). */
export type Parsed<T> = { value: T; warnings: RosterWarning[]; dropped: DroppedRecord[] };

/**
 * Text Postgres can keep exactly as sent: no NUL (a text column refuses it) and no lone
 * surrogate (it would be stored as U+FFFD, so an id would never match itself again).
 * A record holding anything else is dropped with a warning instead of failing every run.
 */
export function isStorableText(text: string): boolean {
  return !/\u0000|\p{Cs}/u.test(text);
}

/**
 * Longer ids are refused: an enrollment's ref joins three ids in one unique-indexed
 * column, which must stay under the index's 2,704-byte limit (Bakaláři's ids are short).
 */
export const MAX_ID_LENGTH = 128;

// Ids are opaque strings kept byte for byte: never trimmed, only required to be non-empty and storable.
const text = z.string().refine(isStorableText, "holds a NUL or a lone surrogate");
// "|" joins the three ids of an enrollment's external id (user|subject|class), so an id
// holding it could make two enrollments one; Bakaláři's ids never hold it.
const id = text
  .min(1)
  .max(MAX_ID_LENGTH)
  .refine((v) => !v.includes("|"), 'holds "|", which joins the ids of an enrollment');
/** Whether a Bakaláři id from anywhere (an API record, a public page's option) is one the sync can key a row by. */
export const isUsableId = (value: unknown): value is string => id.safeParse(value).success;
const entity = z.object({ Id: id, Abbrev: text, Name: text });
const group = z.object({ ClassId: id, Id: id, Abbrev: text, Name: text });
const list = z.array(z.unknown());

const timetableShape = z.object({
  Days: list,
  Classes: list,
  Groups: list,
  Subjects: list,
  Teachers: list,
});
const day = z.object({ DayOfWeek: z.number(), Atoms: list });
const atom = z.object({ HourId: z.number(), GroupIds: z.array(id), SubjectId: id, TeacherId: id });

const classbookShape = z.object({ Days: list });
const classbookDay = z.object({ Date: z.string().nullable(), Hours: list });
const classbookGroup = z.object({ ClassId: id, Id: id, Abbrev: text.nullish(), Name: text.nullish() });
const classbookHour = z.object({ LessonId: id, Groups: z.array(classbookGroup), Subject: z.unknown().optional() });

const absenceShape = z.object({ AbsencesGroups: list });
const absenceGroup = z.object({ Group: z.object({ ClassId: id, Id: id }), StudentsAbsences: list });
const studentAbsence = z.object({ Student: entity });

const userShape = z.object({ UserType: z.string().nullish(), UserUID: z.string().nullish() });

const loginShape = z.object({ access_token: z.string().min(1), refresh_token: z.string().min(1), expires_in: z.number().positive() });
const loginErrorShape = z.object({ error: z.string() });

/** Parses a JSON body, or fails with BAKALARI_PAYLOAD naming the endpoint. */
export function parseJson(body: string, endpoint: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new BakalariError("BAKALARI_PAYLOAD", `${endpoint} answered with a body that is not JSON`, endpointPath(endpoint));
  }
}

function overall<T>(schema: z.ZodType<T>, body: string, endpoint: string): T {
  const result = schema.safeParse(parseJson(body, endpoint));
  if (!result.success) {
    throw new BakalariError(
      "BAKALARI_PAYLOAD",
      `${endpoint} answered JSON of an unexpected shape (${describeIssues(result.error)})`,
      endpointPath(endpoint),
    );
  }
  return result.data;
}

/** "GET /api/3/user?x" -> "/api/3/user", for BakalariError.endpoint. */
function endpointPath(endpoint: string): string {
  return endpoint.replace(/^[A-Z]+ /, "").replace(/\?.*$/, "");
}

/** Codes and paths of the issues, never the values (a value could be a name). */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.code} at ${issue.path.length ? issue.path.join(".") : "top level"}`)
    .join("; ");
}

/** The record's own Id when it is a usable id (what `id` accepts), so a warning can name it. */
function usableId(record: unknown, pick: (r: Record<string, unknown>) => unknown = (r) => r.Id): string | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const value = pick(record as Record<string, unknown>);
  return isUsableId(value) ? value : undefined;
}

/** Validates records one by one: the good ones are returned, each bad one becomes a warning. */
function records<T>(
  items: unknown[],
  schema: z.ZodType<T>,
  where: { endpoint: string; list: string; entity?: RosterEntity; idOf?: (record: unknown) => string | undefined },
  sink: Sink,
): { item: T; index: number }[] {
  const good: { item: T; index: number }[] = [];
  items.forEach((raw, index) => {
    const result = schema.safeParse(raw);
    if (result.success) {
      good.push({ item: result.data, index });
      return;
    }
    const externalId = (where.idOf ?? usableId)(raw);
    const label = externalId === undefined ? `${where.list}[${index}]` : `${where.list}[${index}] (id ${JSON.stringify(externalId)})`;
    sink.warnings.push({
      code: ROSTER_WARNING.recordInvalid,
      message: `${where.endpoint}: dropped ${label}: ${describeIssues(result.error)}`,
      ...(externalId !== undefined && where.entity ? { externalId, entity: where.entity } : {}),
    });
    if (where.entity) sink.dropped.push(externalId === undefined ? { entity: where.entity } : { entity: where.entity, externalId });
  });
  return good;
}

type Sink = { warnings: RosterWarning[]; dropped: DroppedRecord[] };
const newSink = (): Sink => ({ warnings: [], dropped: [] });

const toEntity = (r: z.infer<typeof entity>): Entity => ({ id: r.Id, abbrev: r.Abbrev, name: r.Name });

export function parseTimetable(body: string, endpoint: string): Parsed<Timetable> {
  const raw = overall(timetableShape, body, endpoint);
  const sink = newSink();
  const at = (list: string, entityType?: RosterEntity) => ({ endpoint, list, entity: entityType });
  const classes = records(raw.Classes, entity, at("Classes", "class"), sink).map(({ item }) => toEntity(item));
  const groups = records(raw.Groups, group, at("Groups", "group"), sink).map(({ item }) => ({
    ...toEntity(item),
    classId: item.ClassId,
  }));
  const subjects = records(raw.Subjects, entity, at("Subjects", "subject"), sink).map(({ item }) => toEntity(item));
  const teachers = records(raw.Teachers, entity, at("Teachers", "teacher"), sink).map(({ item }) => toEntity(item));
  const atoms: Atom[] = [];
  // Atoms have no id of their own; a bad one is named by its position.
  const noId = () => undefined;
  for (const { item: d, index: dayIndex } of records(raw.Days, day, { endpoint, list: "Days", idOf: noId }, sink)) {
    // An atom with no subject, teacher or group is a lesson taken out of the timetable (real
    // captures carry such atoms with null ids): nothing to read, so nothing to warn about.
    const cells = records(
      d.Atoms.filter((a) => !isEmptyAtom(a)),
      atom,
      { endpoint, list: `Days[${dayIndex}].Atoms`, idOf: noId },
      sink,
    );
    for (const { item: a } of cells) atoms.push({ groupIds: a.GroupIds, subjectId: a.SubjectId, teacherId: a.TeacherId });
  }
  return { value: { classes, groups, subjects, teachers, atoms }, ...sink };
}

function isEmptyAtom(raw: unknown): boolean {
  if (typeof raw !== "object" || raw === null) return false;
  const a = raw as Record<string, unknown>;
  const none = (v: unknown) => v === null || v === undefined || v === "";
  return none(a.SubjectId) && none(a.TeacherId) && (!Array.isArray(a.GroupIds) || a.GroupIds.length === 0);
}

export function parseClassbook(body: string, endpoint: string): Parsed<Classbook> {
  const raw = overall(classbookShape, body, endpoint);
  const sink = newSink();
  const lessons: ClassbookLesson[] = [];
  const noId = () => undefined;
  for (const { item: d, index: dayIndex } of records(raw.Days, classbookDay, { endpoint, list: "Days", idOf: noId }, sink)) {
    const hours = records(
      d.Hours,
      classbookHour,
      { endpoint, list: `Days[${dayIndex}].Hours`, entity: "lesson", idOf: (r) => usableId(r, (x) => x.LessonId) },
      sink,
    );
    for (const { item: h } of hours) {
      const subject = entity.safeParse(h.Subject);
      lessons.push({
        lessonId: h.LessonId,
        date: d.Date,
        groupIds: h.Groups.map((g) => g.Id),
        groups: h.Groups.map((g) => ({ id: g.Id, classId: g.ClassId, abbrev: g.Abbrev ?? "", name: g.Name ?? "" })),
        subject: subject.success ? toEntity(subject.data) : null,
      });
    }
  }
  return { value: { lessons }, ...sink };
}

export function parseAbsenceList(body: string, endpoint: string): Parsed<AbsenceList> {
  const raw = overall(absenceShape, body, endpoint);
  const sink = newSink();
  const groups: AbsenceGroup[] = [];
  const incompleteGroupIds: string[] = [];
  const groupId = (r: unknown) => usableId(r, (x) => (x.Group as Record<string, unknown> | undefined)?.Id);
  for (const { item: g, index } of records(
    raw.AbsencesGroups,
    absenceGroup,
    { endpoint, list: "AbsencesGroups", entity: "group", idOf: groupId },
    sink,
  )) {
    const list = `AbsencesGroups[${index}].StudentsAbsences`;
    const studentId = (r: unknown) => usableId(r, (x) => (x.Student as Record<string, unknown> | undefined)?.Id);
    const good = records(g.StudentsAbsences, studentAbsence, { endpoint, list, entity: "student", idOf: studentId }, sink);
    if (g.StudentsAbsences.some((r) => studentId(r) === undefined)) incompleteGroupIds.push(g.Group.Id);
    groups.push({ groupId: g.Group.Id, classId: g.Group.ClassId, students: good.map(({ item }) => toEntity(item.Student)) });
  }
  return { value: { groups, incompleteGroupIds }, ...sink };
}

export function parseUser(body: string, endpoint: string): Account {
  const raw = overall(userShape, body, endpoint);
  const uid = raw.UserUID ?? "";
  const slash = uid.indexOf("/");
  return { userType: raw.UserType ?? null, personId: slash >= 0 && slash < uid.length - 1 ? uid.slice(slash + 1) : null };
}

export function parseLogin(body: string, endpoint: string): LoginResponse {
  const raw = overall(loginShape, body, endpoint);
  return { accessToken: raw.access_token, refreshToken: raw.refresh_token, expiresInSec: raw.expires_in };
}

/** The OAuth error code of a refused login ("invalid_grant"), or null when the body has none. */
export function loginErrorCode(body: string): string | null {
  try {
    const result = loginErrorShape.safeParse(JSON.parse(body));
    // Only a plain code goes into messages; error_description may echo the username.
    return result.success && /^[a-z_]{1,64}$/.test(result.data.error) ? result.data.error : null;
  } catch {
    return null;
  }
}
