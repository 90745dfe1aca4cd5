/**
 * A run: lease, source, plan, guard, apply, record, log. The HTTP route and the
 * cron handler both call runSync; neither holds sync logic.
 */
import { BakalariError, type Coverage, type Roster } from "../bakalari/roster";
import { bakalariSourceFor, type ReadOptions } from "../bakalari/source";
import { ROSTER_WARNING, type RunErrorCode } from "../codes";
import type { Config } from "../config";
import { openDatabase, type Database, type Db } from "../db/client";
import { postgresCode, safeCause, type Logger } from "../log";
import { applyPlan } from "./apply";
import { describeHold, holdReasons, type HoldReason } from "./guard";
import { boundCoverage, warningFields, type IssueCounts } from "./issues";
import { isEmptyPlan, planSync, rowsToWrite, type Counts, type Plan } from "./plan";
import { acquireLease, finishRun, getRun, recordSkipped, type RunError, type RunStart, type RunWarning, type Trigger } from "./run-records";
import { loadCurrentState } from "./state";

export type SyncRequest = {
  trigger: Trigger;
  dryRun?: boolean;
  force?: boolean;
  /** Re-read only a rotating share of the rosters and reuse the rest; cron ticks do by default. */
  incremental?: boolean;
  /** The operator token's name (never the token). */
  operator?: string | null;
  requestId?: string | null;
};

export type RosterSource = { read(options?: ReadOptions): Promise<Roster>; requests(): number };

export type SyncDeps = {
  config: Config;
  log: Logger;
  /** Opens the run's database handle; a fresh one is opened to record a failure when the first broke. */
  open?: (config: Config) => Database;
  /** The roster source; Bakaláři by default. */
  source?: (db: Db) => RosterSource;
};

/**
 * Where a run's time went: reading Bakaláři, reading the current state (at the same time as
 * Bakaláři, so the two overlap), planning (pure), writing.
 */
export type Timings = { sourceMs: number; stateMs: number; planMs: number; applyMs: number };

type Common = {
  runId: string;
  /** What the run could see; null when the source failed before it could say. */
  coverage: Coverage | null;
  startedAt: string;
  completedAt: string;
  durationMs: number;
  /** At most 200 in full, whatever the feed; warningCount and warningCounts count every one. */
  warnings: RunWarning[];
  warningCount: number;
  warningCounts: IssueCounts;
  bakalariRequests: number;
  statements: number;
  timings: Timings;
};

export type SyncOutcome =
  | (Common & { status: "ok"; counts: Counts; rowsWritten: number })
  | (Common & { status: "dry_run"; counts: Counts; wouldHold: boolean; holdReasons: HoldReason[] })
  | (Common & { status: "held"; counts: Counts; holdReasons: HoldReason[] })
  | (Common & { status: "fail"; code: RunErrorCode; errors: RunError[]; counts: Counts | null })
  | { status: "running"; runningRunId: string }
  | { status: "skipped"; runId: string; runningRunId: string };

export async function runSync(deps: SyncDeps, request: SyncRequest): Promise<SyncOutcome> {
  const open = deps.open ?? openDatabase;
  const start: RunStart = {
    id: crypto.randomUUID(),
    trigger: request.trigger,
    operator: request.operator ?? null,
    requestId: request.requestId ?? null,
    dryRun: request.dryRun ?? false,
    // Cron never forces past a hold; a dry run ignores force.
    forced: request.trigger === "manual" && !request.dryRun && (request.force ?? false),
    incremental: request.incremental ?? request.trigger === "cron",
  };
  const database = open(deps.config);
  const log = (level: "INFO" | "WARN" | "ERROR", message: string, fields: Record<string, unknown> = {}) =>
    deps.log({ level, message, runId: start.id, requestId: start.requestId ?? undefined, trigger: start.trigger, ...fields });

  try {
    const held = await acquireLease(database.db, start);
    if (held) {
      if (start.trigger === "cron") {
        await recordSkipped(database.db, start, held.runningRunId);
        log("INFO", "sync_skipped", { runningRunId: held.runningRunId });
        return { status: "skipped", runId: start.id, runningRunId: held.runningRunId };
      }
      return { status: "running", runningRunId: held.runningRunId };
    }
    return await leased(deps, database, start, log, open);
  } finally {
    await database.end();
  }
}

type Log = (level: "INFO" | "WARN" | "ERROR", message: string, fields?: Record<string, unknown>) => void;

async function leased(deps: SyncDeps, database: Database, start: RunStart, log: Log, open: (c: Config) => Database): Promise<SyncOutcome> {
  const t0 = Date.now();
  const startedAt = new Date(t0).toISOString();
  const timings: Timings = { sourceMs: 0, stateMs: 0, planMs: 0, applyMs: 0 };
  log("INFO", "sync_start", { dryRun: start.dryRun, force: start.forced, incremental: start.incremental });

  const source = (deps.source ?? ((db: Db) => bakalariSourceFor(deps.config, db)))(database.db);
  let counts: Counts | null = null;
  let coverage: Coverage | null = null;
  let warnings: RunWarning[] = [];
  let planned: Plan | null = null;
  const common = (statements: number): Common => {
    const completed = Date.now();
    return {
      runId: start.id,
      coverage,
      startedAt,
      completedAt: new Date(completed).toISOString(),
      durationMs: completed - t0,
      ...warningFields(warnings),
      bakalariRequests: source.requests(),
      statements,
      timings,
    };
  };

  try {
    // Bakaláři and the current state are read at once: neither needs the other, and each
    // mostly waits (on the school's server, on Postgres). Both are awaited whatever happens,
    // so that no query is left running; Bakaláři's error comes first, as it says more.
    const [read, state] = await Promise.allSettled([
      timed(() => source.read({ incremental: start.incremental })),
      timed(() => loadCurrentState(database.db)),
    ]);
    if (read.status === "rejected") throw read.reason;
    const roster = read.value.result;
    coverage = boundCoverage(roster.coverage);
    timings.sourceMs = read.value.ms;
    if (state.status === "rejected") throw state.reason;
    const current = state.value.result;
    timings.stateMs = state.value.ms;

    let phase = Date.now();
    const plan = (planned = planSync(roster, current));
    const reasons = holdReasons(plan, { maxDeleteRatio: deps.config.maxDeleteRatio, maxUpdateRatio: deps.config.maxUpdateRatio });
    timings.planMs = Date.now() - phase;
    counts = plan.counts;
    warnings = plan.warnings;

    if (start.dryRun) {
      const statements = database.statements() + 1;
      await finish(database, start.id, {
        status: "dry_run",
        counts,
        coverage,
        warnings,
        errors: [],
        holdReasons: reasons,
        bakalariRequests: source.requests(),
        statements,
      });
      const outcome = { ...common(statements), status: "dry_run" as const, counts, wouldHold: reasons.length > 0, holdReasons: reasons };
      log("INFO", "sync_dry_run", { counts, coverage, wouldHold: outcome.wouldHold, holdReasons: reasons, ...summary(outcome) });
      return outcome;
    }

    if (reasons.length > 0 && !start.forced) {
      const statements = database.statements() + 1;
      const errors = reasons.map((r): RunError => ({ code: "SAFETY_HOLD", message: describeHold(r) }));
      await finish(database, start.id, {
        status: "held",
        counts,
        coverage,
        warnings,
        errors,
        holdReasons: reasons,
        bakalariRequests: source.requests(),
        statements,
      });
      const outcome = { ...common(statements), status: "held" as const, counts, holdReasons: reasons };
      log("WARN", "sync_held", { counts, coverage, holdReasons: reasons, ...summary(outcome) });
      return outcome;
    }

    phase = Date.now();
    const { rowsWritten, statements } = await applyAndFinish(database, start.id, plan, {
      counts,
      coverage,
      warnings,
      holdReasons: reasons.length > 0 ? reasons : undefined,
      bakalariRequests: source.requests(),
    });
    timings.applyMs = Date.now() - phase;
    const outcome = { ...common(statements), status: "ok" as const, counts, rowsWritten };
    log("INFO", "sync_ok", { counts, coverage, forced: reasons.length > 0, ...summary(outcome) });
    return outcome;
  } catch (error) {
    const runError = toRunError(error);
    // The run's connection may be the thing that broke: record the failure on a fresh one.
    const sent = database.statements();
    await database.end();
    const fresh = open(deps.config);
    let committed = false;
    try {
      await finish(fresh, start.id, {
        status: "fail",
        counts,
        coverage,
        warnings,
        errors: [runError],
        bakalariRequests: source.requests(),
        statements: sent + 1,
      });
    } catch (recordError) {
      // The row is no longer running: either another run took the lease over, or the
      // COMMIT went through and only its answer was lost. The record tells which.
      if (recordError instanceof LeaseLostError) committed = (await getRun(fresh.db, start.id).catch(() => null))?.status === "ok";
    } finally {
      await fresh.end();
    }
    const statements = sent + fresh.statements();
    if (committed && planned && counts) {
      warnings = [
        ...warnings,
        {
          code: ROSTER_WARNING.commitConfirmedLate,
          message: "The connection broke after the commit; the run's own record shows it was applied",
        },
      ];
      const outcome = { ...common(statements), status: "ok" as const, counts, rowsWritten: rowsToWrite(planned) };
      log("INFO", "sync_ok", { counts, coverage, ...summary(outcome) });
      return outcome;
    }
    const outcome = { ...common(statements), status: "fail" as const, code: runError.code, errors: [runError], counts };
    log("ERROR", "sync_fail", { errors: [runError], cause: safeCause(error), counts, ...summary(outcome) });
    return outcome;
  }
}

/** Runs fn and says how long it took, in whole ms. */
async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await fn();
  return { result, ms: Date.now() - started };
}

function summary(o: Common) {
  return {
    durationMs: o.durationMs,
    statements: o.statements,
    bakalariRequests: o.bakalariRequests,
    warningCount: o.warningCount,
    warningCodes: Object.keys(o.warningCounts),
    warningCounts: o.warningCounts,
    timings: o.timings,
  };
}

async function finish(database: Database, id: string, record: Parameters<typeof finishRun>[2]): Promise<void> {
  if (!(await finishRun(database.db, id, record))) throw new LeaseLostError();
}

class LeaseLostError extends Error {
  readonly code = "LEASE_LOST" as const;
  constructor() {
    super("The run's lease expired and another run took over; nothing was applied");
  }
}

/** Writes the plan and the run's record in one transaction: they commit together or not at all. */
async function applyAndFinish(
  database: Database,
  id: string,
  plan: Plan,
  record: { counts: Counts; coverage: Coverage | null; warnings: RunWarning[]; holdReasons?: HoldReason[]; bakalariRequests: number },
): Promise<{ rowsWritten: number; statements: number }> {
  if (isEmptyPlan(plan)) {
    // Nothing to write: no transaction, only the run's own row.
    const statements = database.statements() + 1;
    await finish(database, id, { status: "ok", ...record, errors: [], statements });
    return { rowsWritten: 0, statements };
  }
  return database.db.transaction(async (tx) => {
    const rowsWritten = await applyPlan(tx, plan);
    // This update and the COMMIT after it are the run's last two statements.
    const statements = database.statements() + 2;
    if (!(await finishRun(tx, id, { status: "ok", ...record, errors: [], statements }))) throw new LeaseLostError();
    return { rowsWritten, statements };
  });
}

function toRunError(error: unknown): RunError {
  if (error instanceof BakalariError) {
    return { code: error.code, message: error.message, ...(error.endpoint ? { endpoint: error.endpoint } : {}) };
  }
  if (error instanceof LeaseLostError) return { code: error.code, message: error.message };
  // Database and unexpected errors: the Postgres error code when there is one, never the
  // driver's message (it may quote a value, such as a pupil's name).
  const pgCode = postgresCode(error);
  const name = error instanceof Error ? error.name : "Error";
  return {
    code: "SYNC_FAILED",
    message: pgCode
      ? `The database refused the run (Postgres error ${pgCode}); nothing was applied`
      : `The run failed (${name}); nothing was applied`,
  };
}
