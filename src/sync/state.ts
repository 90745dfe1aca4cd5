/** Reads what the sync manages now: every external ref with its row's state, in one statement. */
import { sql } from "drizzle-orm";
import type { Db, Tx } from "../db/client";
import type { CurrentState } from "./plan";

type StateRow = {
  name: string | null;
  abbrev: string | null;
  type: "class" | "subject" | "user" | "enrollment";
  external_id: string;
  internal_id: string;
  content_hash: string;
  active: boolean;
  role: "student" | "teacher" | null;
  user_id: string | null;
  subject_id: string | null;
  class_id: string | null;
};

export async function loadCurrentState(db: Db | Tx): Promise<CurrentState> {
  const result = await db.execute<StateRow>(sql`
    select r.type, r.external_id, r.internal_id, r.content_hash, t.active, null::text as role, null::uuid as user_id, null::uuid as subject_id, null::uuid as class_id,
           t.name, t.abbrev
      from external_refs r join classes t on t.id = r.internal_id::uuid where r.type = 'class'
    union all
    select r.type, r.external_id, r.internal_id, r.content_hash, t.active, null, null, null, null, t.name, t.abbrev
      from external_refs r join subjects t on t.id = r.internal_id::uuid where r.type = 'subject'
    union all
    -- Teachers' fields only: a run keeps what the public timetable does not give (pupils' are never needed).
    select r.type, r.external_id, r.internal_id, r.content_hash, t.active, t.role, null, null, t.class_id,
           case when t.role = 'teacher' then t.name end, case when t.role = 'teacher' then t.abbrev end
      from external_refs r join users t on t.id = r.internal_id::uuid where r.type = 'user'
    union all
    select r.type, r.external_id, r.internal_id, r.content_hash, t.active, null, t.user_id, t.subject_id, t.class_id, null, null
      from external_refs r join enrollments t on t.id = r.internal_id::uuid where r.type = 'enrollment'
  `);
  const state: CurrentState = { classes: [], subjects: [], users: [], enrollments: [] };
  // Plain literals per row, no spreads: this loop runs for every enrollment of the school.
  for (const row of result.rows) {
    switch (row.type) {
      case "class":
      case "subject":
        (row.type === "class" ? state.classes : state.subjects).push({
          externalId: row.external_id,
          internalId: row.internal_id,
          contentHash: row.content_hash,
          active: row.active,
          name: row.name,
          abbrev: row.abbrev,
        });
        break;
      case "user":
        state.users.push({
          externalId: row.external_id,
          internalId: row.internal_id,
          contentHash: row.content_hash,
          active: row.active,
          role: row.role ?? "student",
          classId: row.class_id,
          name: row.name,
          abbrev: row.abbrev,
        });
        break;
      case "enrollment":
        state.enrollments.push({
          externalId: row.external_id,
          internalId: row.internal_id,
          contentHash: row.content_hash,
          active: row.active,
          userId: row.user_id ?? "",
          subjectId: row.subject_id ?? "",
          classId: row.class_id ?? "",
        });
        break;
    }
  }
  return state;
}
