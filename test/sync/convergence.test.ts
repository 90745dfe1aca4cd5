import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect } from "vitest";
import type { Database } from "../../src/db/client";
import { ENTITY_TYPES, planSync, rowsToWrite, type EntityType } from "../../src/sync/plan";
import { loadCurrentState } from "../../src/sync/state";
import { test as it } from "../support/fixtures";
import { activeView, expectedView, refIntegrity } from "../support/inspect";
import { rosterOf, schoolArbitrary } from "../support/roster";
import { expectStatus } from "../support/sync";

type Versions = Record<EntityType, Map<string, { xmin: string; active: boolean }>>;

async function versions(db: Database): Promise<Versions> {
  const out = {} as Versions;
  for (const table of ENTITY_TYPES) {
    const rows = (await db.db.execute(sql`select id::text as id, xmin::text as xmin, active from ${sql.identifier(table)}`)).rows as {
      id: string;
      xmin: string;
      active: boolean;
    }[];
    out[table] = new Map(rows.map((r) => [r.id, { xmin: r.xmin, active: r.active }]));
  }
  return out;
}

describe("convergence over random schools and random changes", () => {
  // One database across all cases: each run must converge from whatever state the last left.
  it("after every run the active rows equal the snapshot, the refs are whole, and the counts are what changed", async ({
    db,
    engine: e,
  }) => {
    await fc.assert(
      fc.asyncProperty(fc.array(schoolArbitrary, { minLength: 1, maxLength: 4 }), async (schools) => {
        for (const school of schools) {
          const roster = rosterOf(school);
          const before = await versions(db);
          const planned = rowsToWrite(planSync(roster, await loadCurrentState(db.db)));
          // Random changes are large; force applies what the guard would hold.
          const run = expectStatus(await e.run(roster, { force: true }), "ok");
          expect(run.rowsWritten).toBe(planned);
          const after = await versions(db);

          expect(await activeView(db)).toEqual(expectedView(roster));
          expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });

          for (const type of ENTITY_TYPES) {
            const c = run.counts[type];
            const created = [...after[type].keys()].filter((id) => !before[type].has(id)).length;
            const touched = [...after[type]].filter(([id, v]) => before[type].has(id) && before[type].get(id)!.xmin !== v.xmin);
            const deactivated = touched.filter(([id, v]) => before[type].get(id)!.active && !v.active).length;
            const reactivated = touched.filter(([id, v]) => !before[type].get(id)!.active && v.active).length;
            const updated = touched.length - deactivated - reactivated;
            expect({ type, created, updated, deactivated, reactivated }).toEqual({
              type,
              created: c.created,
              updated: c.updated,
              deactivated: c.deactivated,
              reactivated: c.reactivated,
            });
            // Every record of the snapshot and every managed row is in exactly one bucket.
            expect(c.created + c.updated + c.unchanged + c.deactivated + c.reactivated).toBe(after[type].size);
          }

          // A second run of the same snapshot writes nothing.
          const again = expectStatus(await e.run(roster), "ok");
          expect(again.rowsWritten).toBe(0);
          expect(await versions(db)).toEqual(after);
        }
      }),
      { numRuns: 20 },
    );
  }, 300_000);
});
