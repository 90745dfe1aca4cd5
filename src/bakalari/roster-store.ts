/**
 * The rosters as last read, kept in `bakalari_rosters` (one row per school and group), so
 * that a cron tick re-reads only the rosters read longest ago and reuses the rest: a
 * school's Bakaláři is spared about three quarters of its absence-list requests. A roster
 * reused is what Bakaláři showed when it was read; it never makes anyone inactive by
 * itself. A store that cannot be read or written degrades to "nothing kept" (a full
 * read), with a warning, never a crash.
 */
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { bakalariRosters } from "../db/schema";
import { sha256, toHex } from "../digest";
import { ROSTER_WARNING } from "../codes";
import type { RosterWarning } from "./roster";
import type { Entity } from "./schemas";

export type KeptRoster = { groupId: string; classId: string; members: Entity[]; readAt: Date };

export type RosterStore = {
  load(warn: (warning: RosterWarning) => void): Promise<Map<string, KeptRoster>>;
  /** Keeps these rosters as read now (replacing what was kept of their groups). */
  save(rosters: KeptRoster[], warn: (warning: RosterWarning) => void): Promise<void>;
};

const members = z.array(z.object({ id: z.string(), name: z.string(), abbrev: z.string() }));

export function createRosterStore(db: Db, baseUrl: string): RosterStore {
  const key = sha256(`rosters\n${baseUrl}`).then(toHex);
  const failed = (warn: (warning: RosterWarning) => void, what: string) =>
    warn({
      code: ROSTER_WARNING.rostersNotKept,
      message: `The rosters last read could not be ${what} (database error); every roster is read`,
    });
  return {
    async load(warn) {
      const kept = new Map<string, KeptRoster>();
      try {
        const rows = await db
          .select()
          .from(bakalariRosters)
          .where(eq(bakalariRosters.schoolKey, await key));
        for (const row of rows) {
          const parsed = members.safeParse(row.members);
          // A row of another shape is as good as none: that group is read afresh.
          if (parsed.success)
            kept.set(row.groupId, { groupId: row.groupId, classId: row.classId, members: parsed.data, readAt: row.readAt });
        }
      } catch {
        failed(warn, "read");
        kept.clear();
      }
      return kept;
    },
    async save(rosters, warn) {
      if (rosters.length === 0) return;
      try {
        const school = await key;
        // One statement per chunk: a first read of a large school keeps about 900 rosters.
        for (let i = 0; i < rosters.length; i += 500) {
          const chunk = rosters.slice(i, i + 500);
          await db
            .insert(bakalariRosters)
            .values(chunk.map((r) => ({ schoolKey: school, groupId: r.groupId, classId: r.classId, members: r.members, readAt: r.readAt })))
            .onConflictDoUpdate({
              target: [bakalariRosters.schoolKey, bakalariRosters.groupId],
              set: { classId: sql`excluded.class_id`, members: sql`excluded.members`, readAt: sql`excluded.read_at` },
            });
        }
      } catch {
        failed(warn, "kept");
      }
    },
  };
}

/**
 * Which groups a cron tick reads afresh: every group never read, and of the rest the
 * ceil(groups / rotation) read longest ago, so that every roster is re-read at least once
 * every `rotation` ticks. A roster that failed in its turn keeps its old read time and so
 * stays at the front. Ties go by group id, so the choice is the same on every run.
 */
export function rostersToRead(groupIds: string[], kept: ReadonlyMap<string, { readAt: Date }>, rotation: number): Set<string> {
  const fresh = new Set(groupIds.filter((id) => !kept.has(id)));
  const share = Math.ceil(groupIds.length / Math.max(1, rotation));
  const oldestFirst = groupIds
    .filter((id) => kept.has(id))
    .sort((a, b) => kept.get(a)!.readAt.getTime() - kept.get(b)!.readAt.getTime() || (a < b ? -1 : a > b ? 1 : 0));
  for (const id of oldestFirst.slice(0, share)) fresh.add(id);
  return fresh;
}
