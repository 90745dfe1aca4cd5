/**
 * One scenario of one school size, in a process of its own (forked by bench/run.ts),
 * so that its peak RSS is this scenario's alone. It runs the Worker's sync (runSync)
 * once to warm up and then `reps` times, each on the database state the scenario
 * defines, then the naive and floor baselines on the same plan, and sends the result
 * to the parent.
 */
import { getHeapStatistics } from "node:v8";
import { neonConfig, Pool } from "@neondatabase/serverless";
import { TransactionRollbackError } from "drizzle-orm";
import { configureNodeDriver } from "../cli/node-database";
import type { SchoolSize } from "../dev/fake-bakalari/control";
import { bakalariSourceFor } from "../src/bakalari/source";
import { parseConfig, type Config } from "../src/config";
import { openDatabase } from "../src/db/client";
import { applyPlan } from "../src/sync/apply";
import { runSync } from "../src/sync/engine";
import { planSync, type Counts, type CurrentState, type Plan } from "../src/sync/plan";
import { loadCurrentState } from "../src/sync/state";
import { openAdmin, type Admin } from "./databases";
import { floorWrite } from "./floor";
import { naiveWrite, type NaiveResult } from "./naive";
import { heapWatch, mb } from "./heap";
import { median } from "./stats";

export type Scenario = "first" | "unchanged" | "changed";
/** local: the fake school and Postgres as they are; edge: 80 ms a Bakaláři request, 5 ms more a database round trip. */
export type Profile = "local" | "edge";

export type ScenarioJob = {
  profile: Profile;
  size: SchoolSize;
  scenario: Scenario;
  adminUrl: string;
  /** host:port of the WebSocket-to-TCP proxy (it runs in the parent). */
  proxy: string;
  bakalari: { url: string; username: string; password: string };
  tokenKey: string;
  /**
   * The state before a run. first: the empty migrated template (copied per run);
   * unchanged: the synced database itself (a re-sync writes no roster row);
   * changed: the synced database before the churn (copied per run).
   */
  database: string;
  /** first only: the name under which to keep one synced database for the next scenarios. */
  keep?: string;
  /** The driver's coalesceWrites (see METHOD.driver in bench/run.ts). */
  coalesceWrites: boolean;
  /** V8's whole heap (young and old generations) capped at this many MB (--max-heap-size), or null. */
  heapCapMb: number | null;
  reps: number;
  naiveReps: number;
  naiveCap: number;
  floorReps: number;
  /**
   * timed (the default): a warm-up, the measured runs, the baselines. heap: one run, the
   * process's first, for its heap figures alone (bench/run.ts runs it with V8's heap capped).
   * phases: one run's phases one at a time, each's peak used heap and what stays live after
   * it (bench/run.ts --heap-phases; needs --expose-gc).
   */
  mode?: "timed" | "heap" | "phases";
};

export type RunSample = {
  ms: number;
  sourceMs: number;
  /** Reading the current refs and rows from Postgres, before planning. */
  stateMs: number;
  planMs: number;
  applyMs: number;
  statements: number;
  bakalariRequests: number;
  rowsWritten: number;
  counts: Counts;
};

export type ScenarioResult = {
  profile: Profile;
  size: SchoolSize;
  scenario: Scenario;
  warmup: RunSample;
  runs: RunSample[];
  /** process.resourceUsage().maxRSS after the warm-up and the measured runs, before the baselines. */
  peakRssMb: number;
  /** RSS once everything is imported, before the first run. */
  baseRssMb: number;
  /**
   * Peak V8 heapUsed during the measured runs: the largest of the used heap before each GC
   * (v8.GCProfiler), a sample every HEAP_SAMPLE_MS (heap.ts) and one after each run.
   */
  heapMb: number;
  /** The largest used heap right after a full (mark-compact) GC during the measured runs: the live data, roughly. */
  heapAfterGcMb: number;
  /** GCs during the measured runs. */
  gcCount: number;
  /** Of those, full (mark-compact) GCs. */
  fullGcCount: number;
  naive: (NaiveResult & { runs: number[] }) | null;
  floor: { ms: number; statements: number; runs: number[] } | null;
  /** Counts of the plan the baselines wrote, to compare with the runs'. */
  planCounts: Counts;
  /** mode phases: the run's phases, in order. */
  phases?: PhaseHeap[];
};

/**
 * One phase of a run as heapByPhase() measures it: the peak used heap during it (everything
 * still live from the phases before included) and the used heap after a full GC at its end,
 * with its result still held.
 */
export type PhaseHeap = {
  phase: string;
  ms: number;
  peakMb: number;
  /** The largest used heap after a full GC during the phase (0: none ran): what was live at its fullest, roughly. */
  fullGcMb: number;
  liveAfterMb: number;
};

async function main(job: ScenarioJob): Promise<ScenarioResult> {
  configureNodeDriver(job.proxy);
  neonConfig.coalesceWrites = job.coalesceWrites;
  const admin = openAdmin(job.adminUrl);
  const configFor = (database: string): Config =>
    parseConfig({
      DATABASE_URL: admin.urlOf(database),
      BAKALARI_URL: job.bakalari.url,
      BAKALARI_USERNAME: job.bakalari.username,
      BAKALARI_PASSWORD: job.bakalari.password,
      BAKALARI_TOKEN_KEY: job.tokenKey,
      NEON_WS_PROXY: job.proxy,
      // A 1% change is never held (it is below the defaults too); a hold would fail the bench loudly.
      SYNC_MAX_DELETE_RATIO: "1",
      SYNC_MAX_UPDATE_RATIO: "1",
      // The public timetable is parsed with Workers' HTMLRewriter, which Node lacks: the bench
      // reads the account's own views (the management account sees the whole school).
      BAKALARI_PUBLIC_TIMETABLE: "off",
    });
  const baseRssMb = mb(process.memoryUsage.rss());
  if (job.mode === "phases") return phasesOnly(admin, job, configFor, baseRssMb);
  if (job.mode === "heap") return heapOnly(admin, job, configFor, baseRssMb);
  try {
    const warmup = await syncOnce(admin, job, configFor);
    const runs: RunSample[] = [];
    const heap = heapWatch();
    heap.start();
    for (let i = 0; i < job.reps; i++) {
      runs.push(await syncOnce(admin, job, configFor));
      heap.sample();
    }
    const heapFigures = heap.stop();
    const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
    if (job.keep) await admin.copy(job.keep, workDatabase(job));
    if (job.scenario !== "unchanged") await admin.drop(workDatabase(job));

    const { plan, current } = await planOf(admin, job, configFor);
    const floor = await floorBaseline(admin, job, plan);
    const naive = await naiveBaseline(admin, job, plan, current);
    return {
      profile: job.profile,
      size: job.size,
      scenario: job.scenario,
      warmup,
      runs,
      peakRssMb,
      baseRssMb,
      ...heapFigures,
      naive,
      floor,
      planCounts: plan.counts,
    };
  } finally {
    for (const name of ["baseline", "floor", "naive"]) await admin.drop(`${job.size}_${name}`);
    await admin.end();
  }
}

/** heap: one run under the heap watch, nothing else (no warm-up: its peak is that of a fresh process, code and all). */
async function heapOnly(admin: Admin, job: ScenarioJob, configFor: (db: string) => Config, baseRssMb: number): Promise<ScenarioResult> {
  try {
    const heap = heapWatch();
    heap.start();
    const run = await syncOnce(admin, job, configFor);
    const heapFigures = heap.stop();
    return {
      profile: job.profile,
      size: job.size,
      scenario: job.scenario,
      warmup: run,
      runs: [run],
      peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
      baseRssMb,
      ...heapFigures,
      naive: null,
      floor: null,
      planCounts: run.counts,
    };
  } finally {
    if (job.scenario !== "unchanged") await admin.drop(workDatabase(job));
    await admin.end();
  }
}

/** phases: a warm-up run (which also keeps the synced database for the next scenarios), then heapByPhase(). */
async function phasesOnly(admin: Admin, job: ScenarioJob, configFor: (db: string) => Config, baseRssMb: number): Promise<ScenarioResult> {
  try {
    const warmup = await syncOnce(admin, job, configFor);
    if (job.keep) await admin.copy(job.keep, workDatabase(job));
    const phases = await heapByPhase(admin, job, configFor);
    const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
    const peak = Math.max(...phases.map((p) => p.peakMb));
    return {
      profile: job.profile,
      size: job.size,
      scenario: job.scenario,
      warmup,
      runs: [],
      peakRssMb,
      baseRssMb,
      heapMb: peak,
      heapAfterGcMb: Math.max(...phases.map((p) => p.liveAfterMb)),
      gcCount: 0,
      fullGcCount: 0,
      naive: null,
      floor: null,
      planCounts: warmup.counts,
      phases,
    };
  } finally {
    if (job.scenario !== "unchanged") await admin.drop(workDatabase(job));
    await admin.end();
  }
}

/**
 * The steps of runSync one at a time (source, state, plan, apply in a transaction, rolled
 * back), on the state before a run, with a full GC between them: each phase's peak used
 * heap and what is live after it, its result held as runSync holds it.
 */
async function heapByPhase(admin: Admin, job: ScenarioJob, configFor: (db: string) => Config): Promise<PhaseHeap[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("--heap-phases needs node --expose-gc");
  const database = workDatabase(job);
  if (job.scenario !== "unchanged") await admin.copy(database, job.database);
  const config = configFor(database);
  const handle = openDatabase(config);
  const phases: PhaseHeap[] = [];
  const phase = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    gc();
    const watch = heapWatch();
    const t = performance.now();
    watch.start();
    const result = await fn();
    const ms = Math.round(performance.now() - t);
    const { heapMb, heapAfterGcMb } = watch.stop();
    gc();
    phases.push({ phase: name, ms, peakMb: heapMb, fullGcMb: heapAfterGcMb, liveAfterMb: mb(getHeapStatistics().used_heap_size) });
    return result;
  };
  try {
    await phase("start", () => undefined);
    const source = bakalariSourceFor(config, handle.db);
    const roster = await phase("source", () => source.read({ incremental: job.scenario === "unchanged" }));
    const current = await phase("state", () => loadCurrentState(handle.db));
    const plan = await phase("plan", () => planSync(roster, current));
    await phase("apply", () =>
      handle.db
        .transaction(async (tx) => {
          await applyPlan(tx, plan);
          tx.rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof TransactionRollbackError)) throw error;
        }),
    );
    // Keeps the results live up to here, as runSync does until it returns.
    if (!roster || !current || !plan) throw new Error("unreachable");
    return phases;
  } finally {
    await handle.end();
  }
}

/** The database a run of this scenario writes to. */
function workDatabase(job: ScenarioJob): string {
  return job.scenario === "unchanged" ? job.database : `${job.size}_${job.scenario}`;
}

async function syncOnce(admin: Admin, job: ScenarioJob, configFor: (db: string) => Config): Promise<RunSample> {
  const database = workDatabase(job);
  // A fresh copy of the state before the run, made outside the timing.
  if (job.scenario !== "unchanged") await admin.copy(database, job.database);
  const t = performance.now();
  // Every run is a cron tick; only `unchanged` is incremental (the tick in steady state). The
  // first sync and the changed re-sync read every roster, as the tick that first sees a group does.
  const outcome = await runSync(
    { config: configFor(database), log: () => undefined },
    { trigger: "cron", incremental: job.scenario === "unchanged" },
  );
  const ms = performance.now() - t;
  if (outcome.status !== "ok") {
    const detail = "errors" in outcome ? JSON.stringify(outcome.errors) : "";
    throw new Error(`${job.size}/${job.scenario}: the run ended ${outcome.status} ${detail}`);
  }
  return {
    ms,
    ...outcome.timings,
    statements: outcome.statements,
    bakalariRequests: outcome.bakalariRequests,
    rowsWritten: outcome.rowsWritten,
    counts: outcome.counts,
  };
}

/** The plan the runs applied: the same roster, planned against the same state before the run. */
async function planOf(admin: Admin, job: ScenarioJob, configFor: (db: string) => Config): Promise<{ plan: Plan; current: CurrentState }> {
  const name = `${job.size}_baseline`;
  await admin.copy(name, job.database);
  const database = openDatabase(configFor(name));
  try {
    const roster = await bakalariSourceFor(configFor(name), database.db).read();
    const current = await loadCurrentState(database.db);
    return { plan: planSync(roster, current), current };
  } finally {
    await database.end();
  }
}

async function withCopy<T>(admin: Admin, name: string, template: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  await admin.copy(name, template);
  const pool = new Pool({ connectionString: admin.urlOf(name), max: 1 });
  pool.on("error", () => undefined);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

async function floorBaseline(admin: Admin, job: ScenarioJob, plan: Plan): Promise<ScenarioResult["floor"]> {
  // An unchanged re-sync has nothing to write: its floor is no statement at all.
  if (job.scenario === "unchanged") return null;
  const runs: number[] = [];
  let statements = 0;
  for (let i = 0; i < job.floorReps; i++) {
    const result = await withCopy(admin, `${job.size}_floor`, job.database, (pool) => floorWrite(pool, plan));
    runs.push(result.ms);
    statements = result.statements;
  }
  return { ms: median(runs), statements, runs };
}

async function naiveBaseline(admin: Admin, job: ScenarioJob, plan: Plan, current: CurrentState): Promise<ScenarioResult["naive"]> {
  const results: NaiveResult[] = [];
  for (let i = 0; i < job.naiveReps; i++) {
    results.push(await withCopy(admin, `${job.size}_naive`, job.database, (pool) => naiveWrite(pool, plan, current, job.naiveCap)));
  }
  const runs = results.map((r) => r.ms);
  return { ...results[0]!, ms: median(runs), runs };
}

// Forked by bench/run.ts with the job as its one argument.
if (process.send && process.argv[2]) {
  const send = process.send.bind(process);
  main(JSON.parse(process.argv[2]) as ScenarioJob).then(
    (result) => send({ ok: true, result }, () => process.exit(0)),
    (error: unknown) =>
      send({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
}
