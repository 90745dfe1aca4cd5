/**
 * Subject keys across the two views. The account's views give a subject's Bakaláři id;
 * the public timetable gives only its abbreviation (unique per subject within a school),
 * so a subject seen only there is keyed `abbrev|<abbreviation>` (publicSubjectId). One
 * real subject stays one row whichever view saw it first:
 * - a subject known only by abbreviation that a row already has under its Bakaláři id
 *   (same abbreviation) is that row;
 * - a row keyed by abbreviation whose subject now shows up with its id is re-keyed to the
 *   id, and so are its enrollments' refs (user|subject|class).
 * Pure: the plan carries the re-keys, the applier writes them.
 */
import { enrollmentKey, parseEnrollmentKey, PUBLIC_SUBJECT_PREFIX, publicSubjectId, type RosterSubject } from "../bakalari/roster";
import type { CurrentEnrollment, CurrentRow } from "./plan";

export type Rekey = { type: "subject" | "enrollment"; from: string; to: string };

export type SubjectKeys = {
  /** The external id a roster subject id is planned under. */
  keyOf(rosterSubjectId: string): string;
  /** Current subject rows, with re-keyed rows under their new key. */
  subjects: CurrentRow[];
  /** Current enrollment rows, likewise. */
  enrollments: CurrentEnrollment[];
  rekeys: Rekey[];
};

const isPublicKey = (id: string) => id.startsWith(PUBLIC_SUBJECT_PREFIX);

export function resolveSubjectKeys(roster: RosterSubject[], subjects: CurrentRow[], enrollments: CurrentEnrollment[]): SubjectKeys {
  const byKey = new Map(subjects.map((r) => [r.externalId, r]));
  // Rows under a Bakaláři id, by abbreviation; an active row wins over an inactive one.
  const byAbbrev = new Map<string, CurrentRow>();
  for (const r of subjects) {
    if (isPublicKey(r.externalId) || r.abbrev == null) continue;
    const key = r.abbrev.trim();
    const had = byAbbrev.get(key);
    if (!had || (!had.active && r.active)) byAbbrev.set(key, r);
  }

  const keys = new Map<string, string>();
  const moved = new Map<string, string>();
  for (const s of roster) {
    if (byKey.has(s.id)) {
      keys.set(s.id, s.id);
    } else if (isPublicKey(s.id)) {
      keys.set(s.id, byAbbrev.get(s.abbrev.trim())?.externalId ?? s.id);
    } else {
      keys.set(s.id, s.id);
      const byName = publicSubjectId(s.abbrev.trim());
      if (byKey.has(byName) && !moved.has(byName) && !roster.some((r) => r.id === byName)) moved.set(byName, s.id);
    }
  }
  if (moved.size === 0) return { keyOf: (id) => keys.get(id) ?? id, subjects, enrollments, rekeys: [] };

  const rekeys: Rekey[] = [...moved].map(([from, to]) => ({ type: "subject", from, to }));
  const rekeyedEnrollments = enrollments.map((e) => {
    const parts = parseEnrollmentKey(e.externalId);
    const to = parts ? moved.get(parts.subjectId) : undefined;
    if (!parts || to === undefined) return e;
    const externalId = enrollmentKey({ ...parts, subjectId: to });
    rekeys.push({ type: "enrollment", from: e.externalId, to: externalId });
    return { ...e, externalId };
  });
  return {
    keyOf: (id) => keys.get(id) ?? id,
    subjects: subjects.map((r) => (moved.has(r.externalId) ? { ...r, externalId: moved.get(r.externalId)! } : r)),
    enrollments: rekeyedEnrollments,
    rekeys,
  };
}
