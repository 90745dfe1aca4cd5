/**
 * The public timetable as last read whole, kept in `bakalari_public_timetables` (one row
 * per school, keyed by a hash of the base URL). A run that cannot read the public
 * timetable uses it, so what the timetable showed keeps its rows and fields instead of
 * being taken as gone. A store that cannot be read or written degrades to "no earlier
 * read", with a warning, never a crash.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { bakalariPublicTimetables } from "../db/schema";
import { sha256, toHex } from "../digest";
import type { PublicView } from "./public-view";
import { ROSTER_WARNING } from "../codes";
import type { RosterWarning } from "./roster";

export type StoredPublicView = { view: PublicView; readAt: Date };

export type PublicViewStore = {
  load(warn: (warning: RosterWarning) => void): Promise<StoredPublicView | null>;
  save(view: PublicView, readAt: Date, warn: (warning: RosterWarning) => void): Promise<void>;
};

const text = z.string();
const viewShape: z.ZodType<PublicView> = z.object({
  classes: z.array(z.object({ id: text, abbrev: text })),
  teachers: z.array(z.object({ id: text, name: text })),
  subjects: z.array(z.object({ abbrev: text, name: text })),
  teaching: z.array(z.object({ teacherId: text, subjectAbbrev: text, classId: text })),
  lessons: z.array(z.object({ classId: text, label: text, subjectAbbrev: text })),
  partialTeachers: z.array(text),
});

export function createPublicViewStore(db: Db, baseUrl: string): PublicViewStore {
  const key = sha256(`public-timetable\n${baseUrl}`).then(toHex);
  const failed = (warn: (warning: RosterWarning) => void, what: string) =>
    warn({
      code: ROSTER_WARNING.publicTimetableUnavailable,
      message: `The last public timetable read could not be ${what} (database error)`,
    });
  return {
    async load(warn) {
      try {
        const [row] = await db
          .select()
          .from(bakalariPublicTimetables)
          .where(eq(bakalariPublicTimetables.schoolKey, await key))
          .limit(1);
        if (!row) return null;
        const view = viewShape.safeParse(row.view);
        // A row of another shape (an older version's) is as good as none.
        return view.success ? { view: view.data, readAt: row.readAt } : null;
      } catch {
        failed(warn, "read");
        return null;
      }
    },
    async save(view, readAt, warn) {
      try {
        await db
          .insert(bakalariPublicTimetables)
          .values({ schoolKey: await key, readAt, view })
          .onConflictDoUpdate({ target: bakalariPublicTimetables.schoolKey, set: { readAt, view } });
      } catch {
        failed(warn, "kept");
      }
    },
  };
}
