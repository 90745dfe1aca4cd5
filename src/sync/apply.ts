/**
 * The applier: writes a plan inside the caller's transaction with a bounded number
 * of batched statements (a few per entity type and chunk, whatever the school's size).
 */
import { sql } from "drizzle-orm";
import { batchInsert, batchUpdate, type Column } from "../db/batch";
import type { Tx } from "../db/client";
import { ENTITY_TYPES, REF_TYPE, type EntityPlan, type Plan, type RowWrite } from "./plan";

const TABLE = { classes: "classes", subjects: "subjects", users: "users", enrollments: "enrollments" } as const;

const touch = sql`updated_at = now()`;
const activate = sql`active = true, deactivated_at = null`;

/** Returns how many rows it wrote (roster rows and external refs). */
export async function applyPlan(tx: Tx, plan: Plan): Promise<number> {
  // Re-keys first: the rows below are planned under their new refs.
  let written = await batchUpdate(
    tx,
    "external_refs",
    ["type", "external_id"],
    [
      { name: "type", type: "text", values: plan.rekeys.map((r) => r.type) },
      { name: "external_id", type: "text", values: plan.rekeys.map((r) => r.from) },
      { name: "new_external_id", type: "text", values: plan.rekeys.map((r) => r.to) },
    ],
    sql`external_id = v.new_external_id, ${touch}`,
  );

  // Parents before children: users point at classes; enrollments at users, subjects and classes.
  for (const type of ["classes", "subjects"] as const) {
    const e: EntityPlan<{ name: string; abbrev: string }> = plan[type];
    const fields = (rows: RowWrite<{ name: string; abbrev: string }>[]): Column[] => [
      { name: "id", type: "uuid", values: rows.map((r) => r.id) },
      { name: "name", type: "text", values: rows.map((r) => r.fields.name) },
      { name: "abbrev", type: "text", values: rows.map((r) => r.fields.abbrev) },
    ];
    written += await batchInsert(tx, TABLE[type], fields(e.create));
    written += await batchUpdate(
      tx,
      TABLE[type],
      ["id"],
      fields([...e.update, ...e.reactivate]),
      sql`name = v.name, abbrev = v.abbrev, ${activate}, ${touch}`,
    );
    written += await deactivate(tx, TABLE[type], e.deactivate);
  }

  const users = plan.users;
  const userFields = (rows: RowWrite<(typeof users.create)[number]["fields"]>[]): Column[] => [
    { name: "id", type: "uuid", values: rows.map((r) => r.id) },
    { name: "name", type: "text", values: rows.map((r) => r.fields.name) },
    { name: "abbrev", type: "text", values: rows.map((r) => r.fields.abbrev) },
    { name: "role", type: "text", values: rows.map((r) => r.fields.role) },
    { name: "class_id", type: "uuid", values: rows.map((r) => r.fields.classId) },
  ];
  written += await batchInsert(tx, TABLE.users, userFields(users.create));
  written += await batchUpdate(
    tx,
    TABLE.users,
    ["id"],
    userFields([...users.update, ...users.reactivate]),
    sql`name = v.name, abbrev = v.abbrev, role = v.role, class_id = v.class_id, ${activate}, ${touch}`,
  );
  written += await deactivate(tx, TABLE.users, users.deactivate);

  const enrollments = plan.enrollments;
  written += await batchInsert(tx, TABLE.enrollments, [
    { name: "id", type: "uuid", values: enrollments.create.map((r) => r.id) },
    { name: "user_id", type: "uuid", values: enrollments.create.map((r) => r.fields.userId) },
    { name: "subject_id", type: "uuid", values: enrollments.create.map((r) => r.fields.subjectId) },
    { name: "class_id", type: "uuid", values: enrollments.create.map((r) => r.fields.classId) },
  ]);
  // An enrollment's fields are its key, so it is never updated, only reactivated.
  written += await batchUpdate(
    tx,
    TABLE.enrollments,
    ["id"],
    [{ name: "id", type: "uuid", values: [...enrollments.update, ...enrollments.reactivate].map((r) => r.id) }],
    sql`${activate}, ${touch}`,
  );
  written += await deactivate(tx, TABLE.enrollments, enrollments.deactivate);

  written += await writeRefs(tx, plan);
  return written;
}

function deactivate(tx: Tx, table: string, ids: string[]): Promise<number> {
  return batchUpdate(tx, table, ["id"], [{ name: "id", type: "uuid", values: ids }], sql`active = false, deactivated_at = now(), ${touch}`);
}

/** New refs for created rows; a new content hash for rows whose fields changed. */
async function writeRefs(tx: Tx, plan: Plan): Promise<number> {
  const created: { type: string; externalId: string; id: string; hash: string }[] = [];
  const changed: { type: string; externalId: string; hash: string }[] = [];
  for (const type of ENTITY_TYPES) {
    const e: EntityPlan<unknown> = plan[type];
    for (const r of e.create) created.push({ type: REF_TYPE[type], externalId: r.externalId, id: r.id, hash: r.contentHash });
    for (const r of [...e.update, ...e.reactivate]) {
      if (r.hashChanged) changed.push({ type: REF_TYPE[type], externalId: r.externalId, hash: r.contentHash });
    }
  }
  let written = await batchInsert(tx, "external_refs", [
    { name: "type", type: "text", values: created.map((r) => r.type) },
    { name: "external_id", type: "text", values: created.map((r) => r.externalId) },
    { name: "internal_id", type: "text", values: created.map((r) => r.id) },
    { name: "content_hash", type: "text", values: created.map((r) => r.hash) },
  ]);
  written += await batchUpdate(
    tx,
    "external_refs",
    ["type", "external_id"],
    [
      { name: "type", type: "text", values: changed.map((r) => r.type) },
      { name: "external_id", type: "text", values: changed.map((r) => r.externalId) },
      { name: "content_hash", type: "text", values: changed.map((r) => r.hash) },
    ],
    sql`content_hash = v.content_hash, ${touch}`,
  );
  return written;
}
