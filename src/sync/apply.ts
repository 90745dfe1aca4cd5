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
  // Straight into columns: a first sync creates a ref per record (about 58,000 for a large school).
  const created = { type: [] as string[], externalId: [] as string[], id: [] as string[], hash: [] as string[] };
  const changed = { type: [] as string[], externalId: [] as string[], hash: [] as string[] };
  for (const type of ENTITY_TYPES) {
    const e: EntityPlan<unknown> = plan[type];
    for (const r of e.create) {
      created.type.push(REF_TYPE[type]);
      created.externalId.push(r.externalId);
      created.id.push(r.id);
      created.hash.push(r.contentHash);
    }
    for (const rows of [e.update, e.reactivate]) {
      for (const r of rows) {
        if (!r.hashChanged) continue;
        changed.type.push(REF_TYPE[type]);
        changed.externalId.push(r.externalId);
        changed.hash.push(r.contentHash);
      }
    }
  }
  let written = await batchInsert(tx, "external_refs", [
    { name: "type", type: "text", values: created.type },
    { name: "external_id", type: "text", values: created.externalId },
    { name: "internal_id", type: "text", values: created.id },
    { name: "content_hash", type: "text", values: created.hash },
  ]);
  written += await batchUpdate(
    tx,
    "external_refs",
    ["type", "external_id"],
    [
      { name: "type", type: "text", values: changed.type },
      { name: "external_id", type: "text", values: changed.externalId },
      { name: "content_hash", type: "text", values: changed.hash },
    ],
    sql`content_hash = v.content_hash, ${touch}`,
  );
  return written;
}
