/**
 * The naive baseline: the same plan written the way the original implementation did,
 * record by record, one statement at a time, in one transaction. Per record of the
 * snapshot: look up its external ref; no ref: insert the row, then the ref; a ref whose
 * hash differs (or a row that comes back): update the row, then the ref; same hash:
 * nothing more. Then one update per row the plan deactivates.
 *
 * A large school has ~57,000 records (~170,000 statements), so above `cap` records the
 * big strata (entity type x kind of work) are sampled evenly and each stratum's time is
 * scaled by its record count. Small strata (classes, subjects, the few changed rows)
 * always run whole, so that sampled users and enrollments find the rows they point at.
 */
import type { Pool, PoolClient } from "@neondatabase/serverless";
import type { CurrentState, EntityType, Plan, RowWrite } from "../src/sync/plan";
import { ENTITY_TYPES, REF_TYPE } from "../src/sync/plan";
import { warm } from "./floor";

export type NaiveResult = {
  ms: number;
  /** Statements the whole plan takes this way (extrapolated when sampled). */
  statements: number;
  records: number;
  sampled: number;
  extrapolated: boolean;
};

/** Strata at most this big always run whole. */
const WHOLE_STRATUM = 500;
/** A sampled stratum runs at least this many records, so its per-record time means something. */
const MIN_SAMPLE = 50;

type Kind = "lookup" | "create" | "update" | "deactivate";
type Row = { id: string; externalId: string; contentHash: string; fields: Record<string, unknown>; reactivate: boolean };
type Stratum = { type: EntityType; kind: Kind; items: Row[]; statementsEach: number };

const COLUMNS: Record<EntityType, [string, string][]> = {
  // [column, field of the plan's record]
  classes: [
    ["name", "name"],
    ["abbrev", "abbrev"],
  ],
  subjects: [
    ["name", "name"],
    ["abbrev", "abbrev"],
  ],
  users: [
    ["name", "name"],
    ["abbrev", "abbrev"],
    ["role", "role"],
    ["class_id", "classId"],
  ],
  enrollments: [
    ["user_id", "userId"],
    ["subject_id", "subjectId"],
    ["class_id", "classId"],
  ],
};

/** The references a row needs to exist before it can be inserted. */
function parentsOf(type: EntityType, row: Row): string[] {
  const f = row.fields;
  if (type === "users") return f.classId ? [f.classId as string] : [];
  if (type === "enrollments") return [f.userId as string, f.subjectId as string, f.classId as string];
  return [];
}

export async function naiveWrite(pool: Pool, plan: Plan, current: CurrentState, cap: number): Promise<NaiveResult> {
  const strata = stratify(plan, current);
  const records = strata.reduce((n, s) => n + s.items.length, 0);
  const large = strata.filter((s) => s.items.length > WHOLE_STRATUM);
  const wholeRecords = records - large.reduce((n, s) => n + s.items.length, 0);
  const sampling = records > cap;
  const fraction = sampling ? Math.max(0, cap - wholeRecords) / Math.max(1, records - wholeRecords) : 1;

  const client = await pool.connect();
  try {
    await warm(client);
    let fixedMs = 0;
    let t = performance.now();
    await client.query("begin");
    fixedMs += performance.now() - t;

    // Ids that exist (before the run, or inserted by a stratum already run).
    const present = new Set<string>();
    for (const type of ENTITY_TYPES) for (const row of current[type]) present.add(row.internalId);

    let ms = 0;
    let statements = 2;
    let sampled = 0;
    for (const stratum of strata) {
      const n = stratum.items.length;
      if (n === 0) continue;
      statements += n * stratum.statementsEach;
      let items = stratum.items;
      if (sampling && n > WHOLE_STRATUM) {
        const eligible = stratum.kind === "create" ? items.filter((r) => parentsOf(stratum.type, r).every((id) => present.has(id))) : items;
        items = evenly(eligible, Math.min(n, Math.max(MIN_SAMPLE, Math.ceil(n * fraction))));
        if (items.length === 0) throw new Error(`naive: no record of ${stratum.type}/${stratum.kind} can be sampled`);
      }
      t = performance.now();
      for (const row of items) await writeRecord(client, stratum, row);
      ms += ((performance.now() - t) * n) / items.length;
      sampled += items.length;
      if (stratum.kind === "create") for (const row of items) present.add(row.id);
    }

    t = performance.now();
    await client.query("commit");
    fixedMs += performance.now() - t;
    return { ms: ms + fixedMs, statements, records, sampled, extrapolated: sampled < records };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function stratify(plan: Plan, current: CurrentState): Stratum[] {
  const strata: Stratum[] = [];
  for (const type of ENTITY_TYPES) {
    const e = plan[type];
    const toRow =
      (reactivate: boolean) =>
      (r: RowWrite<unknown>): Row => ({
        id: r.id,
        externalId: r.externalId,
        contentHash: r.contentHash,
        fields: r.fields as Record<string, unknown>,
        reactivate,
      });
    const touched = new Set([...e.update, ...e.reactivate].map((r) => r.id));
    const gone = new Set(e.deactivate);
    // The plan keeps no list of unchanged records: they are the active rows it neither
    // updates nor deactivates (this bench's feed is complete, so nothing is exempt).
    const unchanged: Row[] = current[type]
      .filter((r) => r.active && !touched.has(r.internalId) && !gone.has(r.internalId))
      .map((r) => ({ id: r.internalId, externalId: r.externalId, contentHash: r.contentHash, fields: {}, reactivate: false }));
    const byId = new Map(current[type].map((r) => [r.internalId, r]));
    strata.push(
      { type, kind: "create", items: e.create.map(toRow(false)), statementsEach: 3 },
      { type, kind: "update", items: [...e.update.map(toRow(false)), ...e.reactivate.map(toRow(true))], statementsEach: 3 },
      { type, kind: "lookup", items: unchanged, statementsEach: 1 },
      {
        type,
        kind: "deactivate",
        items: e.deactivate.map((id) => ({
          id,
          externalId: byId.get(id)?.externalId ?? "",
          contentHash: "",
          fields: {},
          reactivate: false,
        })),
        statementsEach: 1,
      },
    );
  }
  return strata;
}

async function writeRecord(client: PoolClient, stratum: Stratum, row: Row): Promise<void> {
  const { type } = stratum;
  const refType = REF_TYPE[type];
  if (stratum.kind === "deactivate") {
    await client.query(`update ${type} set active = false, deactivated_at = now(), updated_at = now() where id = $1`, [row.id]);
    return;
  }
  const found = await client.query<{ internal_id: string; content_hash: string }>(
    "select internal_id, content_hash from external_refs where type = $1 and external_id = $2",
    [refType, row.externalId],
  );
  const ref = found.rows[0];
  const columns = COLUMNS[type];
  const values = columns.map(([, field]) => row.fields[field]);
  if (!ref) {
    const names = ["id", ...columns.map(([c]) => c)];
    await client.query(`insert into ${type} (${names.join(", ")}) values (${names.map((_, i) => `$${i + 1}`).join(", ")})`, [
      row.id,
      ...values,
    ]);
    await client.query("insert into external_refs (type, external_id, internal_id, content_hash) values ($1, $2, $3, $4)", [
      refType,
      row.externalId,
      row.id,
      row.contentHash,
    ]);
    return;
  }
  if (ref.content_hash === row.contentHash && !row.reactivate) return;
  // Enrollments have no fields of their own to set: their key is their content.
  const set = [...columns.map(([c], i) => `${c} = $${i + 2}`), "active = true", "deactivated_at = null", "updated_at = now()"];
  if (type === "enrollments") set.splice(0, columns.length);
  await client.query(
    `update ${type} set ${set.join(", ")} where id = $1`,
    type === "enrollments" ? [ref.internal_id] : [ref.internal_id, ...values],
  );
  await client.query("update external_refs set content_hash = $3, updated_at = now() where type = $1 and external_id = $2", [
    refType,
    row.externalId,
    row.contentHash,
  ]);
}

/** k items spread evenly over the list. */
function evenly<T>(items: T[], k: number): T[] {
  if (k >= items.length) return items;
  return Array.from({ length: k }, (_, i) => items[Math.floor((i * items.length) / k)]!);
}
