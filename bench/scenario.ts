/**
 * One scenario of one school size, in a process of its own (forked by bench/run.ts),
 * so that its peak RSS is this scenario's alone. It runs the Worker's sync (runSync)
 * once to warm up and then `reps` times, each on the database state the scenario
 * defines, then the naive and floor baselines on the same plan, and sends the result
 * to the parent.
 */
import { GCProfiler, getHeapStatistics } from "node:v8";
import { neonConfig, Pool } from "@neondatabase/serverless";
import { configureNodeDriver } from "../cli/node-database";
import type { SchoolSize } from "../dev/fake-bakalari/control";
import { bakalariSourceFor } from "../src/bakalari/source";
import { parseConfig, type Config } from "../src/config";
import { openDatabase } from "../src/db/client";
import { runSync } from "../src/sync/engine";
import { planSync, type Counts, type CurrentState, type Plan } from "../src/sync/plan";
import { loadCurrentState } from "../src/sync/state";
import { openAdmin, type Admin } from "./databases";
import { floorWrite } from "./floor";
import { naiveWrite, type NaiveResult } from "./naive";
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
  reps: number;
  naiveReps: number;
  naiveCap: number;
  floorReps: number;
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
   * (v8.GCProfiler), a sample every HEAP_SAMPLE_MS and one after each run.
   */
  heapMb: number;
  /** The largest used heap right after a GC during the measured runs: the live data, roughly. */
  heapAfterGcMb: number;
  /** GCs during the measured runs. */
  gcCount: number;
  naive: (NaiveResult & { runs: number[] }) | null;
  floor: { ms: number; statements: number; runs: number[] } | null;
  /** Counts of the plan the baselines wrote, to compare with the runs'. */
  planCounts: Counts;
};

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const HEAP_SAMPLE_MS = 2;

/** Watches V8's used heap from start() to stop(): GC by GC, on a timer, and when told (sample()). */
function heapWatch() {
  const profiler = new GCProfiler();
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, getHeapStatistics().used_heap_size);
  };
  let timer: NodeJS.Timeout | null = null;
  return {
    start() {
      sample();
      profiler.start();
      timer = setInterval(sample, HEAP_SAMPLE_MS);
    },
    sample,
    stop() {
      if (timer) clearInterval(timer);
      sample();
      const gcs = profiler.stop()?.statistics ?? [];
      let afterGc = 0;
      for (const gc of gcs) {
        peak = Math.max(peak, gc.beforeGC.heapStatistics.usedHeapSize);
        afterGc = Math.max(afterGc, gc.afterGC.heapStatistics.usedHeapSize);
      }
      return { heapMb: mb(peak), heapAfterGcMb: mb(afterGc), gcCount: gcs.length };
    },
  };
}

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
