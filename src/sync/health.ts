import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { syncRuns } from "../db/schema";
import { latestStarted } from "./run-records";

export type HealthStatus = "ok" | "never" | "stale" | "failing" | "held";

export type Health = {
  status: HealthStatus;
  lastSuccessAt: string | null;
  lastRunStatus: "ok" | "fail" | "held" | null;
  /** Counts from the last successful run's coverage (never ids or names); null before the first. */
  rosterCoverage: { classes: number; classesRead: number } | null;
};

/** After this long without a successful run the sync is stale (three missed cron ticks). */
export const STALE_AFTER_MS = 45 * 60 * 1000;

/**
 * Finished runs are ok, fail and held; skipped and dry runs do not count. A dry run that
 * failed is recorded `fail` (with dry_run set): a preview must not turn /health failing.
 */
const FINISHED = ["ok", "fail", "held"] as const;

export async function readHealth(db: Db, now: Date = new Date()): Promise<Health> {
  const [last] = await db
    .select({ status: syncRuns.status, startedAt: syncRuns.startedAt })
    .from(syncRuns)
    .where(and(inArray(syncRuns.status, [...FINISHED]), eq(syncRuns.dryRun, false)))
    .orderBy(latestStarted)
    .limit(1);
  const [success] = await db
    .select({
      at: syncRuns.completedAt,
      classes: sql<number | null>`(${syncRuns.coverage} -> 'rosters' ->> 'classes')::int`,
      classesRead: sql<number | null>`(${syncRuns.coverage} -> 'rosters' ->> 'classesRead')::int`,
    })
    .from(syncRuns)
    .where(and(eq(syncRuns.status, "ok"), eq(syncRuns.dryRun, false)))
    .orderBy(latestStarted)
    .limit(1);
  const health = decideHealth((last?.status as Health["lastRunStatus"]) ?? null, success?.at ?? null, now);
  const counted = success && success.classes !== null && success.classesRead !== null;
  return { ...health, rosterCoverage: counted ? { classes: success.classes!, classesRead: success.classesRead! } : null };
}

/** The pure rule behind GET /health. */
export function decideHealth(
  lastRunStatus: Health["lastRunStatus"],
  lastSuccessAt: Date | null,
  now: Date,
): Omit<Health, "rosterCoverage"> {
  const base = { lastSuccessAt: lastSuccessAt?.toISOString() ?? null, lastRunStatus };
  if (lastRunStatus === null) return { status: "never", ...base };
  if (lastRunStatus === "fail") return { status: "failing", ...base };
  if (lastRunStatus === "held") return { status: "held", ...base };
  if (!lastSuccessAt || now.getTime() - lastSuccessAt.getTime() > STALE_AFTER_MS) return { status: "stale", ...base };
  return { status: "ok", ...base };
}
