import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { syncRuns } from "../db/schema";
import { latestStarted } from "./runs";

export type HealthStatus = "ok" | "never" | "stale" | "failing" | "held";

export type Health = {
  status: HealthStatus;
  lastSuccessAt: string | null;
  lastRunStatus: "ok" | "fail" | "held" | null;
};

/** After this long without a successful run the sync is stale (three missed cron ticks). */
export const STALE_AFTER_MS = 45 * 60 * 1000;

/** Finished runs are ok, fail and held; skipped and dry runs do not count. */
const FINISHED = ["ok", "fail", "held"] as const;

export async function readHealth(db: Db, now: Date = new Date()): Promise<Health> {
  const [last] = await db
    .select({ status: syncRuns.status, startedAt: syncRuns.startedAt })
    .from(syncRuns)
    .where(inArray(syncRuns.status, [...FINISHED]))
    .orderBy(latestStarted)
    .limit(1);
  const [success] = await db
    .select({ at: syncRuns.completedAt })
    .from(syncRuns)
    .where(and(eq(syncRuns.status, "ok")))
    .orderBy(latestStarted)
    .limit(1);
  return decideHealth(
    (last?.status as Health["lastRunStatus"]) ?? null,
    success?.at ?? null,
    now,
  );
}

/** The pure rule behind GET /health. */
export function decideHealth(lastRunStatus: Health["lastRunStatus"], lastSuccessAt: Date | null, now: Date): Health {
  const base = { lastSuccessAt: lastSuccessAt?.toISOString() ?? null, lastRunStatus };
  if (lastRunStatus === null) return { status: "never", ...base };
  if (lastRunStatus === "fail") return { status: "failing", ...base };
  if (lastRunStatus === "held") return { status: "held", ...base };
  if (!lastSuccessAt || now.getTime() - lastSuccessAt.getTime() > STALE_AFTER_MS) return { status: "stale", ...base };
  return { status: "ok", ...base };
}
