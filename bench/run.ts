/**
 * npm run bench [-- --profile local|edge|both --sizes small,medium,large --scenarios first,unchanged,changed
 *                   --reps 5 --edge-reps 3 --heap-cap 64|none --coalesce-writes --cpu-prof --heap-phases]
 *
 * Drives the Worker's own sync path (runSync) against the fake Bakaláři school and a
 * throwaway PostgreSQL, for each profile and size: the first sync, an unchanged cron tick,
 * and a full re-sync after ~1% of the roster changed. Profiles: `local` (as fast as this
 * machine goes) and `edge` (80 ms a Bakaláři request, 5 ms more a database round trip).
 * Prints a table and the goals of issue 14, writes bench/results.json. See "Benchmark" in
 * README.md for what each figure means.
 *
 * Processes: this one holds PostgreSQL's cluster (its own processes), the WebSocket proxy
 * and the edge profile's latency relay; the fake school runs as a child; each scenario runs
 * in a forked child, so its peak RSS and heap hold neither the proxy nor the fake school nor
 * another scenario.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { neonConfig } from "@neondatabase/serverless";
import { migrateDatabase } from "../cli/migrate";
import { configureNodeDriver } from "../cli/node-database";
import { fakeControl, type SchoolSize } from "../dev/fake-bakalari/control";
import { openAdmin, startBench, type Admin } from "./databases";
import { writeBenchResults } from "./results-file";
import { startFake } from "./fake";
import { measureRoundTrip, startLatencyRelay, type LatencyRelay } from "./latency";
import { phaseTable, table, targetLines, targets, toRow, type ResultRow } from "./report";
import type { Profile, Scenario, ScenarioJob, ScenarioResult } from "./scenario";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(BENCH_DIR, "..");
const TEMPLATE = "bench_empty";
/** Outside the repository: profiles are large and not to be committed. */
const PROFILE_DIR = path.join(os.tmpdir(), "bakalari-bench-profiles");
const SIZES: SchoolSize[] = ["small", "medium", "large"];
const SCENARIOS: Scenario[] = ["first", "unchanged", "changed"];
/** The local profile's heapMb is measured with V8's heap capped at this (issue 14: the large first sync within 64 MB). */
const HEAP_CAP_MB = 64;
const PROFILES: Profile[] = ["local", "edge"];
/**
 * The edge profile: every Bakaláři request answered EDGE_BAKALARI_MS later (a fault rule of
 * the fake school), every database round trip 2 × EDGE_DB_ONE_WAY_MS longer (bench/latency.ts).
 */
const EDGE_BAKALARI_MS = 80;
const EDGE_DB_ONE_WAY_MS = 2.5;
/**
 * The baselines take seconds each; fewer repetitions than the runs keep the bench short. At
 * the edge a naive write of 4,000 records (12,000 statements) takes about a minute: one run.
 */
const NAIVE_REPS: Record<Profile, number> = { local: 3, edge: 1 };
const FLOOR_REPS: Record<Profile, number> = { local: 5, edge: 3 };
/** Records the naive baseline writes before it samples (a large first sync has ~57,700). */
const NAIVE_CAP = 4000;

type Options = {
  profiles: Profile[];
  sizes: SchoolSize[];
  /** first always runs: the others start from the database it leaves. */
  scenarios: Scenario[];
  reps: Record<Profile, number>;
  coalesceWrites: boolean;
  cpuProf: boolean;
  heapPhases: boolean;
  /** MB of V8 heap each scenario's process may use (--max-heap-size), or null for V8's default. */
  heapCapMb: number | null;
};

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      profile: { type: "string" },
      sizes: { type: "string" },
      scenarios: { type: "string" },
      reps: { type: "string" },
      "edge-reps": { type: "string" },
      "coalesce-writes": { type: "boolean" },
      "cpu-prof": { type: "boolean" },
      "heap-phases": { type: "boolean" },
      "heap-cap": { type: "string" },
    },
  });
  const profile = values.profile ?? "both";
  if (profile !== "both" && !PROFILES.includes(profile as Profile)) throw new Error(`--profile: local, edge or both, not ${profile}`);
  const profiles = profile === "both" ? PROFILES : [profile as Profile];
  const sizes = (values.sizes ?? SIZES.join(",")).split(",") as SchoolSize[];
  const scenarios = (values.scenarios ?? SCENARIOS.join(",")).split(",") as Scenario[];
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`--scenarios: unknown scenario ${s}`);
  for (const s of sizes) if (!SIZES.includes(s)) throw new Error(`--sizes: unknown size ${s}`);
  const positive = (text: string, flag: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`);
    return n;
  };
  const reps = positive(values.reps ?? "5", "--reps");
  // An edge run of the large school waits for ~750 requests at 80 ms: fewer runs by default.
  const edgeReps = positive(values["edge-reps"] ?? String(Math.min(reps, 3)), "--edge-reps");
  return {
    profiles,
    sizes,
    scenarios,
    reps: { local: reps, edge: edgeReps },
    coalesceWrites: values["coalesce-writes"] ?? false,
    cpuProf: values["cpu-prof"] ?? false,
    heapPhases: values["heap-phases"] ?? false,
    heapCapMb: values["heap-cap"] === "none" ? null : positive(values["heap-cap"] ?? String(HEAP_CAP_MB), "--heap-cap"),
  };
}

/**
 * The scenario's heap figures from one run in a process of its own whose V8 heap (both
 * generations) is capped at job.heapCapMb: null when that process ran out of heap.
 */
async function runHeap(job: ScenarioJob): Promise<ScenarioResult | null> {
  try {
    return await runScenario({ ...job, mode: "heap" }, false);
  } catch (error) {
    if (error instanceof OutOfHeap) return null;
    throw error;
  }
}

class OutOfHeap extends Error {}

function runScenario(job: ScenarioJob, cpuProf: boolean): Promise<ScenarioResult> {
  const execArgv = ["--import", "tsx"];
  if (job.mode === "phases") execArgv.push("--expose-gc");
  if (job.heapCapMb !== null) execArgv.push(`--max-heap-size=${job.heapCapMb}`);
  if (cpuProf)
    // A folder per scenario and Node's own file names: tsx's loader thread writes a profile too,
    // which under one fixed name would overwrite the main thread's (the largest file).
    execArgv.push("--cpu-prof", `--cpu-prof-dir=${path.join(PROFILE_DIR, `${job.profile}-${job.size}-${job.scenario}`)}`);
  const child: ChildProcess = fork(path.join(BENCH_DIR, "scenario.ts"), [JSON.stringify(job)], { cwd: ROOT, execArgv });
  return new Promise((resolve, reject) => {
    let answer: { ok: true; result: ScenarioResult } | { ok: false; error: string } | null = null;
    child.on("message", (m) => (answer = m as typeof answer));
    child.once("exit", (code, signal) => {
      if (answer?.ok) resolve(answer.result);
      // V8 aborts the process when the heap cannot hold what is live ("JavaScript heap out of memory").
      else if (!answer && job.heapCapMb !== null && (signal === "SIGABRT" || code === 134)) reject(new OutOfHeap());
      else reject(new Error(`${job.profile} ${job.size}/${job.scenario} failed (exit ${signal ?? code}): ${answer?.error ?? "no answer"}`));
    });
  });
}

function machine(postgres: string) {
  const cpus = os.cpus();
  const details = {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    postgres,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
  return {
    summary: `${details.cpu}, ${details.cores} cores, ${details.memoryGb} GB RAM, Node ${details.node}, PostgreSQL ${postgres}, ${details.os}`,
    details,
  };
}

const loadText = (load: number[]) => load.map((n) => n.toFixed(2)).join(" ");
/** More than a quarter of the cores busy over the last minute, before we start anything. */
const busy = (load: number[]) => (load[0] ?? 0) > os.cpus().length / 4;

const method = (options: Options) => ({
  runs: `each figure of a scenario is the median of the measured runs (local ${options.reps.local}, edge ${options.reps.edge}), after one warm-up run that is not counted`,
  profiles: {
    local: "the fake school and PostgreSQL as fast as this machine serves them",
    edge: `the fake school answers every request ${EDGE_BAKALARI_MS} ms later (fault rule { path: "^/", kind: "latency", ms: ${EDGE_BAKALARI_MS} }); the database's bytes wait ${EDGE_DB_ONE_WAY_MS} ms each way in a relay between the WebSocket proxy and PostgreSQL (bench/latency.ts), so a round trip takes ${2 * EDGE_DB_ONE_WAY_MS} ms more (roundTripMs: measured)`,
  },
  driver:
    "runSync in Node (not workerd), the Neon serverless driver over WebSockets through dev/ws-proxy.ts to a local PostgreSQL (fsync off); " +
    (options.coalesceWrites
      ? "the driver's default coalesceWrites: before each write burst it waits for setTimeout(0), which Node clamps to 1 ms, so every round trip costs about 1.2 ms more than the proxy and Postgres take"
      : "neonConfig.coalesceWrites = false for ours and the baselines alike: the default waits for setTimeout(0) before each write burst, which Node clamps to 1 ms (about 1.3 ms a round trip here instead of 0.1 to 0.2 ms); workerd, where the Worker runs, does not clamp it (--coalesce-writes keeps the default)"),
  first:
    "a full read (every roster); each run on a fresh copy (CREATE DATABASE … TEMPLATE) of an empty migrated database; the copy is made outside the timing",
  unchanged:
    "incremental cron ticks (1 roster in SYNC_ROSTER_ROTATION=4 re-read, the rest reused from bakalari_rosters), one after another on the database the first sync filled and kept (then VACUUM ANALYZE, as autovacuum would have done before the next cron tick); the warm-up is the first tick",
  changed:
    "churn 0.01 on the fake school once, then full reads, each on a fresh copy of the database as the first sync and the ticks left it, so every run applies the same ~1% change",
  trigger:
    "trigger cron (incremental only for unchanged), SYNC_MAX_DELETE_RATIO=1 and SYNC_MAX_UPDATE_RATIO=1 (no hold; 1% is below the defaults anyway); BAKALARI_TOKEN_KEY set, so only a first sync logs in with the password",
  memory:
    "peakRssMb: maxRSS of a process that runs only that scenario (the fake school, the proxy and PostgreSQL are other processes), read after the warm-up and measured runs, before the baselines; it includes Node's own baseline (baseRssMb, measured before the first run)",
  heap:
    options.heapCapMb === null
      ? "heapMb: the peak V8 used heap (heapUsed) of the scenario's process during its measured runs (V8's heap not capped): the largest of the used heap before each GC (v8.GCProfiler), a sample every 2 ms (setInterval) and one after each run; heapAfterGcMb is the largest used heap right after a full (mark-compact) GC"
      : `heapMb (local profile): the peak V8 used heap (heapUsed) of one more run of the scenario, in a process of its own started with V8's whole heap (both generations) capped at ${options.heapCapMb} MB (node --max-heap-size=${options.heapCapMb}), the run being that process's first: the largest of the used heap before each GC (v8.GCProfiler), a sample every 2 ms (setInterval) and one after the run; null when that process ran out of heap. heapAfterGcMb: the largest used heap right after a full (mark-compact) GC in that run. timedHeapMb: the same peak in the timed runs' process, whose heap is not capped (V8 lets it grow before it collects). The timed runs are never capped: a heap near its cap collects more often, and that would be in their times. Edge profile: heapMb is the timed runs' own peak, not capped (heapCapMb null), as one more run of each edge scenario would take the bench past 15 minutes`,
  naive:
    "the same plan, per record: select its ref, then insert (or update) the row and the ref, one statement at a time, in one transaction; over the cap the big strata are sampled and scaled by record count (naiveExtrapolated); median of 3 runs locally, 1 run at the edge",
  floor:
    "the same rows into the same state: one insert … select from unnest(…) per table (for a re-sync one update per table and kind), unchunked, in one transaction; COPY is not available through the Neon driver; none for an unchanged re-sync (0, n/a)",
});

async function main(): Promise<void> {
  const options = parseOptions();
  const { started, loadBefore, cluster, proxy } = await startBench();
  let admin: Admin | null = null;
  let relay: LatencyRelay | null = null;
  try {
    configureNodeDriver(proxy.url);
    // As in the scenarios, so that the round trip measured here is the one they see.
    neonConfig.coalesceWrites = options.coalesceWrites;
    const adminUrl = cluster.url.replace(/\/[^/]+$/, "/postgres");
    if (options.profiles.includes("edge")) {
      const { hostname, port } = new URL(cluster.url);
      relay = await startLatencyRelay({ host: hostname, port: Number(port) }, EDGE_DB_ONE_WAY_MS);
    }
    // The URL of the maintenance database a profile's scenarios (and their runs) go through.
    const profileAdminUrl = (profile: Profile) => {
      if (profile === "local") return adminUrl;
      const url = new URL(adminUrl);
      url.port = String(relay!.port);
      return url.toString();
    };
    admin = openAdmin(adminUrl);
    const [version] = await admin.query<{ server_version: string }>("show server_version");
    await admin.query(`create database ${TEMPLATE}`);
    await migrateDatabase(admin.urlOf(TEMPLATE), proxy.url);
    const host = machine(version?.server_version ?? "unknown");
    console.log(`bench: ${host.summary}`);
    console.log("bench: the proxy runs in this process; the fake school and each scenario run as child processes");
    console.log(`bench: driver: ${method(options).driver}`);
    console.log(
      `bench: load average before: ${loadText(loadBefore)}${busy(loadBefore) ? " (the machine is busy: figures will be slower and noisier)" : ""}`,
    );

    // One key for every scenario: the token pair cached by the first sync stays readable.
    const tokenKey = randomBytes(32).toString("base64");
    const rows: ResultRow[] = [];
    const schools: Record<string, string> = {};
    const roundTripMs: Partial<Record<Profile, number>> = {};
    for (const profile of options.profiles) {
      const profileUrl = profileAdminUrl(profile);
      roundTripMs[profile] = await measureRoundTrip(profileUrl);
      console.log(`bench: profile ${profile}: a database round trip (select 1, median) takes ${roundTripMs[profile]} ms`);
      for (const size of options.sizes) {
        const fake = await startFake(size);
        schools[size] = fake.school;
        if (profile === "edge") await fakeControl(fake.url).setFaults([{ path: "^/", kind: "latency", ms: EDGE_BAKALARI_MS }]);
        console.log(`bench: ${profile} ${size}: ${fake.school}`);
        const base = `${size}_base`;
        const job = (scenario: Scenario, database: string, keep?: string): ScenarioJob => ({
          profile,
          size,
          scenario,
          adminUrl: profileUrl,
          proxy: proxy.url,
          bakalari: { url: fake.url, username: fake.username, password: fake.password },
          tokenKey,
          database,
          ...(keep ? { keep } : {}),
          coalesceWrites: options.coalesceWrites,
          // The timed runs are never capped: a heap near its cap collects more often, and that would be in their times.
          heapCapMb: options.heapPhases ? options.heapCapMb : null,
          reps: options.reps[profile],
          naiveReps: NAIVE_REPS[profile],
          naiveCap: NAIVE_CAP,
          floorReps: FLOOR_REPS[profile],
          ...(options.heapPhases ? { mode: "phases" as const } : {}),
        });
        const step = async (scenario: Scenario, database: string, keep?: string) => {
          const t = performance.now();
          const result = await runScenario(job(scenario, database, keep), options.cpuProf);
          if (result.phases) {
            console.log(`bench: ${profile} ${size}/${scenario}: heap by phase\n${phaseTable(result.phases)}`);
            return;
          }
          // The capped run only in the local profile: latency changes when things happen, not what
          // is held, and at the edge one more run of each scenario would take the bench past 15 minutes.
          const capped =
            options.heapCapMb === null || profile !== "local"
              ? undefined
              : await runHeap({ ...job(scenario, database), heapCapMb: options.heapCapMb });
          const row = toRow(result, capped === undefined ? undefined : { capMb: options.heapCapMb!, result: capped });
          rows.push(row);
          const heap = row.heapMb === null ? `out of heap at ${row.heapCapMb} MB` : `heap ${row.heapMb} MB`;
          console.log(
            `bench: ${profile} ${size}/${scenario}: ${row.ms} ms median, ${heap} (${((performance.now() - t) / 1000).toFixed(0)} s with baselines)`,
          );
        };
        try {
          await step("first", TEMPLATE, base);
          await admin.execIn(base, "vacuum analyze");
          if (options.scenarios.includes("unchanged")) await step("unchanged", base);
          if (options.scenarios.includes("changed")) {
            await fakeControl(fake.url).change({ op: "churn", fraction: 0.01 });
            await step("changed", base);
          }
        } finally {
          await fake.stop();
          await admin.drop(base);
        }
      }
    }

    const totalSeconds = (performance.now() - started) / 1000;
    const checks = targets(rows, totalSeconds);
    const loadAfter = os.loadavg();
    console.log(`\n${table(rows)}\n\n${targetLines(checks)}`);
    console.log(`\nbench: ${host.summary}; load average before ${loadText(loadBefore)}, after ${loadText(loadAfter)}`);
    const output = {
      machine: host.summary,
      machineDetails: host.details,
      generatedAt: new Date().toISOString(),
      totalSeconds: Math.round(totalSeconds),
      loadAverage: { before: loadBefore, after: loadAfter },
      schools,
      coalesceWrites: options.coalesceWrites,
      profiles: options.profiles,
      reps: options.reps,
      roundTripMs,
      method: method(options),
      results: rows,
      targets: checks,
    };
    writeBenchResults(output);
    console.log("\nbench: wrote bench/results.json");
    if (options.cpuProf) console.log(`bench: CPU profiles (one per scenario, baselines included) in ${PROFILE_DIR}`);
  } finally {
    await admin?.end();
    await relay?.close();
    await proxy.close();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
