/** Reads the roster tables back for assertions: what is active, keyed by Bakaláři id. */
import { sql } from "drizzle-orm";
import type { Roster } from "../../src/bakalari/roster";
import type { Database } from "../../src/db/client";
import { enrollmentKey } from "../../src/bakalari/roster";

export type ActiveView = {
  classes: Map<string, string>; // external id -> "name|abbrev"
  subjects: Map<string, string>;
  users: Map<string, string>; // external id -> "role|name|class external id"
  enrollments: Set<string>; // external ids
};

export async function activeView(database: Database): Promise<ActiveView> {
  const q = async <T>(query: ReturnType<typeof sql>) => (await database.db.execute(query)).rows as T[];
  const classes = await q<{ e: string; v: string }>(sql`
    select r.external_id as e, c.name || '|' || c.abbrev as v from classes c join external_refs r on r.type = 'class' and r.internal_id = c.id::text where c.active`);
  const subjects = await q<{ e: string; v: string }>(sql`
    select r.external_id as e, s.name || '|' || s.abbrev as v from subjects s join external_refs r on r.type = 'subject' and r.internal_id = s.id::text where s.active`);
  const users = await q<{ e: string; v: string }>(sql`
    select r.external_id as e, u.role || '|' || u.name || '|' || coalesce(cr.external_id, '') as v
      from users u join external_refs r on r.type = 'user' and r.internal_id = u.id::text
      left join external_refs cr on cr.type = 'class' and cr.internal_id = u.class_id::text
     where u.active`);
  const enrollments = await q<{ e: string }>(sql`
    select ur.external_id || '|' || sr.external_id || '|' || cr.external_id as e
      from enrollments n
      join external_refs ur on ur.type = 'user' and ur.internal_id = n.user_id::text
      join external_refs sr on sr.type = 'subject' and sr.internal_id = n.subject_id::text
      join external_refs cr on cr.type = 'class' and cr.internal_id = n.class_id::text
     where n.active`);
  return {
    classes: new Map(classes.map((r) => [r.e, r.v])),
    subjects: new Map(subjects.map((r) => [r.e, r.v])),
    users: new Map(users.map((r) => [r.e, r.v])),
    enrollments: new Set(enrollments.map((r) => r.e)),
  };
}

/** What the active rows must be after a complete snapshot was applied. */
export function expectedView(roster: Roster): ActiveView {
  const shown = (name: string, abbrev: string) => (name === "" ? abbrev : name);
  return {
    classes: new Map(roster.classes.map((c) => [c.id, `${shown(c.name ?? "", c.abbrev)}|${c.abbrev}`])),
    subjects: new Map(roster.subjects.map((s) => [s.id, `${shown(s.name, s.abbrev)}|${s.abbrev}`])),
    users: new Map([
      ...roster.teachers.map((t) => [t.id, `teacher|${shown(t.name, t.abbrev ?? "")}|`] as const),
      ...roster.students.map((s) => [s.id, `student|${shown(s.name, s.abbrev ?? "")}|${s.classId}`] as const),
    ]),
    enrollments: new Set([...roster.teachingAssignments, ...roster.studentEnrollments].map((e) => enrollmentKey(e))),
  };
}

/** Integrity of the refs: none dangling, none missing, none duplicated. */
export async function refIntegrity(database: Database) {
  const one = async (query: ReturnType<typeof sql>) => Number(((await database.db.execute(query)).rows[0] as { n: string | number }).n);
  return {
    dangling: await one(sql`
      select count(*) as n from external_refs r
       where (r.type = 'class' and not exists (select 1 from classes t where t.id::text = r.internal_id))
          or (r.type = 'subject' and not exists (select 1 from subjects t where t.id::text = r.internal_id))
          or (r.type = 'user' and not exists (select 1 from users t where t.id::text = r.internal_id))
          or (r.type = 'enrollment' and not exists (select 1 from enrollments t where t.id::text = r.internal_id))`),
    unreferenced: await one(sql`
      select (select count(*) from classes t where not exists (select 1 from external_refs r where r.type = 'class' and r.internal_id = t.id::text))
           + (select count(*) from subjects t where not exists (select 1 from external_refs r where r.type = 'subject' and r.internal_id = t.id::text))
           + (select count(*) from users t where not exists (select 1 from external_refs r where r.type = 'user' and r.internal_id = t.id::text))
           + (select count(*) from enrollments t where not exists (select 1 from external_refs r where r.type = 'enrollment' and r.internal_id = t.id::text)) as n`),
    duplicated: await one(sql`select count(*) as n from (select 1 from external_refs group by type, external_id having count(*) > 1) d`),
  };
}

/** Row versions of every roster row and ref: equal before and after means nothing was written. */
export async function rowVersions(database: Database): Promise<string> {
  const rows = (
    await database.db.execute(sql`
      select 'c' || id::text || xmin::text || updated_at::text as v from classes
      union all select 's' || id::text || xmin::text || updated_at::text from subjects
      union all select 'u' || id::text || xmin::text || updated_at::text from users
      union all select 'e' || id::text || xmin::text || updated_at::text from enrollments
      union all select 'r' || type || external_id || xmin::text || updated_at::text from external_refs
      order by 1`)
  ).rows as { v: string }[];
  return rows.map((r) => r.v).join("\n");
}
