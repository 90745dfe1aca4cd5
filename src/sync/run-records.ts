/**
 * sync_runs: the record of every run, and the lease. A run holds the lease while
 * its row is `running`; a unique partial index allows one such row. A crashed run
 * cannot hold it forever: after LEASE_MS its row may be failed by the next run.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../db/client";
import { syncRuns, type RunStatus } from "../db/schema";
import type { Coverage } from "../bakalari/roster";
import { ROSTER_WARNING, type RunErrorCode, type WarningCode } from "../codes";
import { boundCoverage, fromStored, toStored, type IssueCounts } from "./issues";
import type { Counts } from "./plan";

/** How long a run may hold the lease. Runs take seconds; cron ticks every 15 minutes. */
export const LEASE_MS = 10 * 60 * 1000;

/** Runs are kept this long (about 8,600 cron runs), then removed as new runs start. */
export const RETENTION_DAYS = 90;

export type Trigger = "cron" | "manual";

export type RunError = { code: RunErrorCode; message: string; endpoint?: string };
export type RunWarning = { code: WarningCode; message: string; externalId?: string };

/** The error of a run that stopped without finishing, written by the run that found it. */
const LEASE_EXPIRED: RunError = {
  code: "LEASE_EXPIRED",
  message: "The run stopped without finishing (its lease expired); the next run took over",
};

/** A run as the API shows it (DESIGN.md section 3). */
export type SyncRun = {
  runId: string;
  trigger: Trigger;
  status: RunStatus;
  operator: string | null;
  requestId: string | null;
  startedAt: string;
  completedAt: string | null;
  durationMs: number | null;
  counts: Counts | null;
  /** What the run could see; null when it did not get as far as reading Bakaláři whole. */
  coverage: Coverage | null;
  /** At most 200 in full (src/sync/issues.ts); warningCount and warningCounts count every one. */
  warnings: RunWarning[];
  warningCount: number;
  warningCounts: IssueCounts;
  errors: RunError[];
  errorCount: number;
  errorCounts: IssueCounts;
  bakalariRequests: number;
  statements: number;
  holdReasons?: unknown;
};

/** A run as the runs list shows it: the counts of its warnings, not the warnings. */
/**
 * A run as the runs list shows it: the whole SyncRun (DESIGN §3), its warnings cut to the first
 * LISTED_WARNINGS (the first of every code first), with warningCount and warningCounts counting
 * them all; GET /api/sync/runs/:id has the run's whole kept list.
 */
export type SyncRunSummary = SyncRun;
/** Warnings each entry of the runs list carries in full: 100 runs of a hostile feed stay near 1 MB. */
export const LISTED_WARNINGS = 20;

export type RunStart = {
  id: string;
  trigger: Trigger;
  operator: string | null;
  requestId: string | null;
  dryRun: boolean;
  forced: boolean;
  /** Read only a rotating share of the rosters (cron ticks, or a POST that asks for it). */
  incremental: boolean;
};

/**
 * Takes the lease by inserting the run's `running` row. Two statements: the first
 * fails a run whose lease expired (a crashed run), the second inserts ours unless
 * another run is running. Returns null when we have the lease, else the running run's id.
 */
export async function acquireLease(db: Db, run: RunStart): Promise<{ runningRunId: string } | null> {
  // One statement: forget runs past retention, and fail a running run whose lease expired.
  await db.execute(sql`
    with forgotten as (
      delete from sync_runs where started_at < now() - ${`${RETENTION_DAYS} days`}::interval and status <> 'running'
    )
    update sync_runs
       set status = 'fail',
           completed_at = now(),
           duration_ms = (extract(epoch from now() - started_at) * 1000)::int,
           lease_expires_at = null,
           errors = ${JSON.stringify([LEASE_EXPIRED])}::jsonb
     where status = 'running' and lease_expires_at < now()`);
  const inserted = await db
    .insert(syncRuns)
    .values({
      id: run.id,
      trigger: run.trigger,
      status: "running",
      operator: run.operator,
      requestId: run.requestId,
      dryRun: run.dryRun,
      forced: run.forced,
      startedAt: sql`now()`,
      leaseExpiresAt: sql`now() + ${`${LEASE_MS} milliseconds`}::interval`,
    })
    .onConflictDoNothing()
    .returning({ id: syncRuns.id });
  if (inserted.length > 0) return null;
  const [running] = await db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.status, "running")).limit(1);
  // The running run may have finished between the two statements; report it all the same.
  return { runningRunId: running?.id ?? "unknown" };
}

export type RunFinish = {
  status: Exclude<RunStatus, "running" | "skipped">;
  counts: Counts | null;
  coverage: Coverage | null;
  warnings: RunWarning[];
  errors: RunError[];
  holdReasons?: unknown;
  bakalariRequests: number;
  /** Statements the run sent, this final one included. */
  statements: number;
};

/**
 * Finishes the run's row and releases the lease. Returns false when the row is no
 * longer ours (its lease expired and another run failed it): the caller must then
 * not commit anything.
 */
export async function finishRun(db: Db | Tx, id: string, finish: RunFinish): Promise<boolean> {
  const updated = await db
    .update(syncRuns)
    .set({
      status: finish.status,
      completedAt: sql`now()`,
      durationMs: sql`(extract(epoch from now() - ${syncRuns.startedAt}) * 1000)::int`,
      leaseExpiresAt: null,
      counts: finish.counts,
      // Bounded whatever the feed: the record stays under 64 KB (src/sync/issues.ts).
      coverage: boundCoverage(finish.coverage),
      warnings: toStored("warnings", finish.warnings),
      errors: toStored("errors", finish.errors),
      holdReasons: finish.holdReasons ?? null,
      bakalariRequests: finish.bakalariRequests,
      statements: finish.statements,
    })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.status, "running")))
    .returning({ id: syncRuns.id });
  return updated.length > 0;
}

/** Records a cron tick that found another run in progress. */
export async function recordSkipped(db: Db, run: RunStart, runningRunId: string): Promise<void> {
  await db.insert(syncRuns).values({
    id: run.id,
    trigger: run.trigger,
    status: "skipped",
    operator: run.operator,
    requestId: run.requestId,
    startedAt: sql`now()`,
    completedAt: sql`now()`,
    durationMs: 0,
    warnings: [{ code: ROSTER_WARNING.syncRunning, message: `Another run (${runningRunId}) was in progress` } satisfies RunWarning],
    statements: 0,
  });
}

export async function getRun(db: Db, id: string): Promise<SyncRun | null> {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.id, id)).limit(1);
  return row ? toSyncRun(row) : null;
}

/**
 * Latest started first, in the order of the indexes on started_at, which drizzle-kit made
 * DESC NULLS LAST: a plain DESC means NULLS FIRST, and Postgres would sort the table instead.
 */
export const latestStarted = sql`${syncRuns.startedAt} desc nulls last`;
const newestFirst = [latestStarted, sql`${syncRuns.id} desc nulls last`];

/** Newest first; `before` pages past a run id (keyset pagination on started_at, id). */
export async function listRuns(db: Db, options: { limit: number; before?: string }): Promise<SyncRunSummary[] | null> {
  if (options.before) {
    const [known] = await db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.id, options.before)).limit(1);
    if (!known) return null;
  }
  const rows = await db
    .select()
    .from(syncRuns)
    .where(
      options.before
        ? // The cursor stays in SQL: started_at has microseconds and a JS Date only milliseconds,
          // so a cursor read into JS would skip runs that started in the same millisecond.
          sql`(${syncRuns.startedAt}, ${syncRuns.id}) < (select c.started_at, c.id from sync_runs c where c.id = ${options.before})`
        : undefined,
    )
    .orderBy(...newestFirst)
    .limit(options.limit);
  return rows.map((row) => {
    const run = toSyncRun(row);
    return { ...run, warnings: run.warnings.slice(0, LISTED_WARNINGS) };
  });
}

export function toSyncRun(row: typeof syncRuns.$inferSelect): SyncRun {
  return {
    runId: row.id,
    trigger: row.trigger,
    status: row.status,
    operator: row.operator,
    requestId: row.requestId,
    startedAt: row.startedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    durationMs: row.durationMs,
    counts: (row.counts as Counts | null) ?? null,
    coverage: (row.coverage as Coverage | null) ?? null,
    ...warningsOf(row.warnings),
    ...errorsOf(row.errors),
    bakalariRequests: row.bakalariRequests,
    statements: row.statements,
    ...(row.holdReasons ? { holdReasons: row.holdReasons } : {}),
  };
}

function warningsOf(stored: unknown) {
  const b = fromStored<RunWarning>("warnings", stored);
  return { warnings: b.kept, warningCount: b.count, warningCounts: b.counts };
}

function errorsOf(stored: unknown) {
  const b = fromStored<RunError>("errors", stored);
  return { errors: b.kept, errorCount: b.count, errorCounts: b.counts };
}
