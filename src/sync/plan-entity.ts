/**
 * The diff of one table: desired records against the rows as they are, by external id.
 * Pure; plan-steps.ts calls it once per table.
 */
import { contentHash } from "./hash";
import type { CurrentRow, EntityPlan } from "./plan";

/** A record the snapshot wants, with the fields its content hash covers. */
export type Desired<R> = { externalId: string; fields: R; hashFields: readonly (string | null)[] };

/** Enrollments write no fields beyond their key: one hash serves them all. */
const EMPTY_HASH = contentHash([]);

/**
 * Creates what is new, updates what changed, reactivates what came back, and deactivates
 * active rows the snapshot no longer lists, unless `exempt` says the source did not see them.
 */
export function planEntity<R, C extends CurrentRow>(
  current: C[],
  desired: Desired<R>[],
  newId: () => string,
  exempt: (row: C) => boolean,
): EntityPlan<R> {
  // Rows are taken out of this map as the snapshot lists them; what remains is unlisted.
  const unlisted = new Map<string, C>();
  const result: EntityPlan<R> = { create: [], update: [], reactivate: [], deactivate: [], unchanged: 0, activeBefore: 0 };
  for (const row of current) {
    unlisted.set(row.externalId, row);
    if (row.active) result.activeBefore += 1;
  }

  for (const d of desired) {
    const hash = d.hashFields.length === 0 ? EMPTY_HASH : contentHash(d.hashFields);
    const row = unlisted.get(d.externalId);
    if (!row) {
      result.create.push({ id: newId(), externalId: d.externalId, contentHash: hash, hashChanged: true, fields: d.fields });
      continue;
    }
    unlisted.delete(d.externalId);
    const hashChanged = hash !== row.contentHash;
    if (row.active && !hashChanged) {
      result.unchanged += 1;
      continue;
    }
    const write = { id: row.internalId, externalId: d.externalId, contentHash: hash, hashChanged, fields: d.fields };
    (row.active ? result.update : result.reactivate).push(write);
  }
  for (const row of unlisted.values()) {
    if (row.active && !exempt(row)) result.deactivate.push(row.internalId);
    else result.unchanged += 1;
  }
  return result;
}

/** Maps an external id to the row's internal id, existing or planned. */
export function idLookup(current: CurrentRow[], planned: EntityPlan<unknown>): (externalId: string) => string {
  const ids = new Map<string, string>();
  for (const row of current) ids.set(row.externalId, row.internalId);
  for (const row of planned.create) ids.set(row.externalId, row.id);
  return (externalId) => {
    const id = ids.get(externalId);
    if (id === undefined) throw new Error(`planner: no row for external id of length ${externalId.length}`);
    return id;
  };
}

/** Maps a row's internal id back to its external id. */
export function externalIds(rows: CurrentRow[]): Map<string, string> {
  return new Map(rows.map((row) => [row.internalId, row.externalId]));
}
