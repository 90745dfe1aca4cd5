/**
 * The floor: the same rows written with the fewest statements Postgres allows, in one
 * transaction: one multi-row `insert … select from unnest(…)` per table (one array
 * parameter per column, unchunked), and for a re-sync one `update … from unnest(…)` per
 * table and kind of write. COPY would be the other way, but the Neon driver cannot
 * send COPY FROM STDIN, and the Worker has no other driver. Arrays travel as the sync's do
 * (src/db/batch.ts arrayLiteral), so the floor is not slower than the sync for that alone.
 */
import type { Pool, PoolClient } from "@neondatabase/serverless";
import { arrayLiteral } from "../src/db/batch";
import { ENTITY_TYPES, REF_TYPE, type EntityType, type Plan, type RowWrite } from "../src/sync/plan";

export type FloorResult = { ms: number; statements: number };

type Col = [name: string, type: "uuid" | "text", values: unknown[]];

function rowColumns(type: EntityType, rows: RowWrite<unknown>[]): Col[] {
  const f = (r: RowWrite<unknown>) => r.fields as Record<string, unknown>;
  const id: Col = ["id", "uuid", rows.map((r) => r.id)];
  switch (type) {
    case "classes":
    case "subjects":
      return [id, ["name", "text", rows.map((r) => f(r).name)], ["abbrev", "text", rows.map((r) => f(r).abbrev)]];
    case "users":
      return [
        id,
        ["name", "text", rows.map((r) => f(r).name)],
        ["abbrev", "text", rows.map((r) => f(r).abbrev)],
        ["role", "text", rows.map((r) => f(r).role)],
        ["class_id", "uuid", rows.map((r) => f(r).classId)],
      ];
    case "enrollments":
      return [
        id,
        ["user_id", "uuid", rows.map((r) => f(r).userId)],
        ["subject_id", "uuid", rows.map((r) => f(r).subjectId)],
        ["class_id", "uuid", rows.map((r) => f(r).classId)],
      ];
  }
}

const unnest = (cols: Col[]) =>
  `unnest(${cols.map(([, t], i) => `$${i + 1}::${t}[]`).join(", ")}) as v(${cols.map(([n]) => n).join(", ")})`;

/** Writes the plan's rows and refs; returns the time from BEGIN to COMMIT answered. */
export async function floorWrite(pool: Pool, plan: Plan): Promise<FloorResult> {
  const statements: [string, unknown[]][] = [];
  const add = (cols: Col[], sql: (names: string) => string) => {
    if ((cols[0]?.[2].length ?? 0) === 0) return;
    statements.push([sql(cols.map(([n]) => n).join(", ")), cols.map(([, , v]) => v)]);
  };

  const refs = { type: [] as string[], externalId: [] as string[], id: [] as string[], hash: [] as string[] };
  const changed = { type: [] as string[], externalId: [] as string[], hash: [] as string[] };
  for (const type of ENTITY_TYPES) {
    const e: Plan[EntityType] = plan[type];
    const created = rowColumns(type, e.create);
    add(created, (names) => `insert into ${type} (${names}) select ${names} from ${unnest(created)}`);
    const rewrite = [...e.update, ...e.reactivate] as RowWrite<unknown>[];
    // An enrollment's fields are its key: a rewrite only reactivates it.
    const cols = type === "enrollments" ? rowColumns(type, rewrite).slice(0, 1) : rowColumns(type, rewrite);
    const set = [...cols.slice(1).map(([n]) => `${n} = v.${n}`), "active = true", "deactivated_at = null", "updated_at = now()"];
    add(cols, () => `update ${type} as t set ${set.join(", ")} from ${unnest(cols)} where t.id = v.id`);
    const gone: Col[] = [["id", "uuid", e.deactivate]];
    add(
      gone,
      () => `update ${type} as t set active = false, deactivated_at = now(), updated_at = now() from ${unnest(gone)} where t.id = v.id`,
    );
    for (const r of e.create as RowWrite<unknown>[]) {
      refs.type.push(REF_TYPE[type]);
      refs.externalId.push(r.externalId);
      refs.id.push(r.id);
      refs.hash.push(r.contentHash);
    }
    for (const r of rewrite) {
      if (!r.hashChanged) continue;
      changed.type.push(REF_TYPE[type]);
      changed.externalId.push(r.externalId);
      changed.hash.push(r.contentHash);
    }
  }
  const refCols: Col[] = [
    ["type", "text", refs.type],
    ["external_id", "text", refs.externalId],
    ["internal_id", "text", refs.id],
    ["content_hash", "text", refs.hash],
  ];
  add(refCols, (names) => `insert into external_refs (${names}) select ${names} from ${unnest(refCols)}`);
  const changedCols: Col[] = [
    ["type", "text", changed.type],
    ["external_id", "text", changed.externalId],
    ["content_hash", "text", changed.hash],
  ];
  add(
    changedCols,
    () =>
      `update external_refs as t set content_hash = v.content_hash, updated_at = now() from ${unnest(changedCols)} ` +
      "where t.type = v.type and t.external_id = v.external_id",
  );

  if (statements.length === 0) return { ms: 0, statements: 0 };
  const client = await pool.connect();
  try {
    await warm(client);
    const t = performance.now();
    await run(client, statements);
    return { ms: performance.now() - t, statements: statements.length + 2 };
  } finally {
    client.release();
  }
}

/**
 * Loads the tables' catalog entries into the fresh backend, untimed: the run's own
 * connection has read these tables before it writes, so the baseline starts warm too.
 */
export async function warm(client: PoolClient): Promise<void> {
  await client.query("select 1 from classes, subjects, users, enrollments, external_refs limit 0");
}

async function run(client: PoolClient, statements: [string, unknown[]][]): Promise<void> {
  await client.query("begin");
  try {
    // Each array sent as the sync sends it (one literal made in one pass), made inside the timing as the sync's are.
    for (const [text, values] of statements)
      await client.query(
        text,
        values.map((v) => arrayLiteral(v as unknown[])),
      );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  }
}
