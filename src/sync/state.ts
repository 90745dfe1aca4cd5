/**
 * Reads what the sync manages now: every external ref with its row's state, in one statement,
 * kept compact. A large school has about 58,000 refs, 54,000 of them enrollments, and every
 * string the driver hands back is a copy of its own (a uuid is 56 bytes of heap), made by
 * the driver one field at a time. So each row carries only what the planner reads, as numbers
 * and booleans where it can:
 * - an enrollment is its ref (user|subject|class, which is all of its fields: they never
 *   change), its row's id and whether it is active; its user, subject and class ids are not
 *   sent 54,000 times;
 * - a pupil's class id is the very string of that class's row;
 * - the hash every enrollment shares is one string.
 * The rows are not read in pages: keyset pages cost a large school's cron tick about 200 ms
 * more (an ordered index scan each), for a few MB less held while the rows are read.
 */
import { sql } from "drizzle-orm";
import type { Db, Tx } from "../db/client";
import { contentHash } from "./hash";
import type { CurrentState } from "./plan";

/** The kind of a row, as a number: no string per row. */
const KIND = { class: 0, subject: 1, user: 2, enrollment: 3 } as const;

type StateRow = {
  kind: (typeof KIND)[keyof typeof KIND];
  external_id: string;
  internal_id: string;
  /** Null for the hash every enrollment has (ENROLLMENT_HASH): it is not sent 54,000 times. */
  content_hash: string | null;
  active: boolean;
  /** Classes', subjects' and teachers' stored fields: a run keeps what no view of it gives. */
  name: string | null;
  abbrev: string | null;
  /** Users: whether the user is a teacher. */
  teacher: boolean | null;
  /** Users: the pupil's class. */
  class_id: string | null;
};

/** An enrollment's fields are its key: every enrollment's ref has the hash of no fields. */
const ENROLLMENT_HASH = contentHash([]);

/** A kind as an SQL literal (a constant, never input). */
const kind = (k: (typeof KIND)[keyof typeof KIND]) => sql.raw(String(k));

export async function loadCurrentState(db: Db | Tx): Promise<CurrentState> {
  const result = await db.execute<StateRow>(sql`
    select ${kind(KIND.class)} as kind, r.external_id, r.internal_id, r.content_hash, t.active, t.name, t.abbrev,
           null::boolean as teacher, null::text as class_id
      from external_refs r join classes t on t.id = r.internal_id::uuid where r.type = 'class'
    union all
    select ${kind(KIND.subject)}, r.external_id, r.internal_id, r.content_hash, t.active, t.name, t.abbrev, null, null
      from external_refs r join subjects t on t.id = r.internal_id::uuid where r.type = 'subject'
    union all
    -- Teachers' fields only (pupils' are never needed).
    select ${kind(KIND.user)}, r.external_id, r.internal_id, r.content_hash, t.active,
           case when t.role = 'teacher' then t.name end, case when t.role = 'teacher' then t.abbrev end,
           t.role = 'teacher', t.class_id::text
      from external_refs r join users t on t.id = r.internal_id::uuid where r.type = 'user'
    union all
    select ${kind(KIND.enrollment)}, r.external_id, r.internal_id, nullif(r.content_hash, ${ENROLLMENT_HASH}), t.active, null, null,
           null, null
      from external_refs r join enrollments t on t.id = r.internal_id::uuid where r.type = 'enrollment'
  `);
  const state: CurrentState = { classes: [], subjects: [], users: [], enrollments: [] };
  // One string per class id: a pupil's class id is the class row's own.
  const classIds = new Map<string, string>();
  const classId = (id: string): string => {
    const known = classIds.get(id);
    if (known !== undefined) return known;
    classIds.set(id, id);
    return id;
  };
  // Plain literals per row, no spreads: this loop runs for every enrollment of the school.
  for (const row of result.rows) {
    const hash = row.content_hash ?? ENROLLMENT_HASH;
    switch (row.kind) {
      case KIND.class:
      case KIND.subject:
        (row.kind === KIND.class ? state.classes : state.subjects).push({
          externalId: row.external_id,
          internalId: row.kind === KIND.class ? classId(row.internal_id) : row.internal_id,
          contentHash: hash,
          active: row.active,
          name: row.name,
          abbrev: row.abbrev,
        });
        break;
      case KIND.user:
        state.users.push({
          externalId: row.external_id,
          internalId: row.internal_id,
          contentHash: hash,
          active: row.active,
          role: row.teacher ? "teacher" : "student",
          classId: row.class_id === null ? null : classId(row.class_id),
          name: row.name,
          abbrev: row.abbrev,
        });
        break;
      case KIND.enrollment:
        state.enrollments.push({ externalId: row.external_id, internalId: row.internal_id, contentHash: hash, active: row.active });
        break;
    }
  }
  return state;
}
