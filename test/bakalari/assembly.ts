/**
 * The fixture school (fixtures.ts) parsed and assembled as the source does, without I/O,
 * with any payload replaced: what the assemble*.unit.test.ts files check.
 */
import { BakalariError, type Roster, type RosterWarning } from "../../src/bakalari/roster";
import { assemblePayloads, prepareAssembly, type AssembleOptions, type Payloads } from "../support/assemble";
import { absences, classbook, timetable } from "./fixtures";

export const TT = "GET /api/3/timetable/permanent";
/** A class book group as Bakaláři names it; the fixtures' own use the id as Abbrev. */
export const cbGroup = (ClassId: string, Id: string, Abbrev = Id) => ({ ClassId, Id, Abbrev, Name: Id });
export const CB = "GET /api/3/classbook";

/** The fixture school, with any payload replaced; `cb: null` is a class book the account was refused. */
export const school = (p: Partial<Payloads>): Payloads => ({
  tt: p.tt ?? timetable(),
  cb: p.cb === undefined ? classbook() : p.cb,
  abs: p.abs ?? absences(),
  failed: p.failed,
});

/** Parses hand-written payloads and assembles them, as the source does, without I/O. */
export const assemble = (p: Partial<Payloads> = {}, options: AssembleOptions = {}) => prepareAssembly(school(p), options);

export function roster(p: Partial<Payloads> = {}, options: AssembleOptions = {}): { roster: Roster; warnings: RosterWarning[] } {
  return assemblePayloads(school(p), options);
}

export function failure(p: Partial<Payloads>, options: AssembleOptions = {}): BakalariError {
  try {
    assemble(p, options).build();
  } catch (e) {
    if (e instanceof BakalariError) return e;
    throw e;
  }
  throw new Error("expected a BakalariError");
}

export const codes = (warnings: RosterWarning[]) => warnings.map((w) => w.code);
export const reasons = (r: Roster) => Object.fromEntries(r.coverage.rosters.exempt.map((e) => [e.classId, e.reason]));

export const sortEnrollments = (list: { userId: string; subjectId: string; classId: string }[]) =>
  [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The fixture timetable with only these groups (and the atoms of only these groups). */
export function timetableOf(groupIds: string[]) {
  const tt = timetable();
  tt.Groups = tt.Groups.filter((g) => groupIds.includes(g.Id));
  for (const d of tt.Days) d.Atoms = d.Atoms.filter((a) => a.GroupIds.every((id) => groupIds.includes(id)));
  return tt;
}

/** A class book of one school day with these lessons. */
export const classbookOf = (...hours: { LessonId: string; Groups: ReturnType<typeof cbGroup>[] }[]) => ({
  Hours: [],
  Days: [{ Date: "2026-03-09T00:00:00+01:00", DayType: "WorkDay", Hours: hours.map((h, i) => ({ Id: i + 2, ...h })) }],
});
