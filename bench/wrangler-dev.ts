/**
 * npm run bench:wrangler [-- --size large --latency 80 --ticks 4 --public-timetable off|auto|both]
 *
 * Issue 14's figures through `wrangler dev`: the Worker in workerd as it is deployed (the
 * scheduled handler, the Neon driver over WebSockets through dev/ws-proxy.ts to a throwaway
 * PostgreSQL), against the fake Bakaláři school (a child process) answering every request
 * `latency` ms later. For each public timetable setting:
 *
 *   1. the first cron tick on an empty database: a full read, since every group is new;
 *   2. `ticks` cron ticks on the unchanged school (incremental: a rotating share of the rosters);
 *   3. one pupil leaves the school (the fake's dropStudents), then cron ticks until the pupil's
 *      row is inactive (at most 8).
 *
 * Every run is a cron tick through wrangler's /__scheduled, which answers once the handler has
 * finished; its time is that request's wall time. Requests are counted twice: by the Worker (the
 * run record's bakalariRequests) and by the fake (its /_fake/stats before and after). The
 * Worker's heap is watched through wrangler's inspector (bench/workerd-heap.ts). Prints a
 * table and the goals with PASS or MISS, and writes them as `wranglerDev` in bench/results.json
 * (not committed), beside the bench's own figures.
 * Not part of `npm test`: it takes a few minutes, and its figures are timings.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { Pool } from "@neondatabase/serverless";
import { migrateDatabase } from "../cli/migrate";
import { configureNodeDriver } from "../cli/node-database";
import { fakeControl, type SchoolSize } from "../dev/fake-bakalari/control";
import { startWorker } from "../dev/wrangler-dev";
import { openAdmin, startBench } from "./databases";
import { startFake } from "./fake";
import { writeWranglerResults } from "./results-file";
import { connectWorkerdHeap } from "./workerd-heap";
import { median } from "./stats";

/** wrangler.toml's cron; /__scheduled passes it to the handler. */
const CRON = "*/15 * * * *";
/** A pupil who left must be inactive within this many ticks (issue 14); the bench waits for more, to tell by how much it missed. */
const LEAVE_TICKS = 4;
const LEAVE_TICKS_MAX = 8;

type PublicMode = "off" | "auto";
type Options = { size: SchoolSize; latencyMs: number; ticks: number; publicModes: PublicMode[] };

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      size: { type: "string" },
      latency: { type: "string" },
      ticks: { type: "string" },
      "public-timetable": { type: "string" },
    },
  });
  const size = (values.size ?? "large") as SchoolSize;
  if (!["small", "medium", "large"].includes(size)) throw new Error(`--size: small, medium or large, not ${size}`);
  const count = (text: string, flag: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer of at least ${min}`);
    return n;
  };
  const mode = values["public-timetable"] ?? "both";
  if (!["off", "auto", "both"].includes(mode)) throw new Error(`--public-timetable: off, auto or both, not ${mode}`);
  return {
    size,
    latencyMs: count(values.latency ?? "80", "--latency", 0),
    ticks: count(values.ticks ?? "4", "--ticks", 1),
    publicModes: mode === "both" ? ["off", "auto"] : [mode as PublicMode],
  };
}

/** One cron tick as measured. */
type Tick = {
  publicTimetable: PublicMode;
  /** first: on the empty database; unchanged: the school as the first saw it; leave: after a pupil left. */
  kind: "first" | "unchanged" | "leave";
  n: number;
  status: string;
  /** Wall time of GET /__scheduled. */
  ms: number;
  /** The run record's own duration. */
  durationMs: number;
  /** The run record's bakalariRequests (the Worker's HTTP client: logins and retries included). */
  requests: number;
  /** Requests the fake served during the tick (its /_fake/stats). */
  fakeRequests: number;
  rostersRead: number;
  rostersReused: number;
  /** Rows created, updated, deactivated and reactivated (the run's counts). */
  rowsChanged: number;
  statements: number;
  /** The largest used V8 heap of the Worker's isolate seen during the tick (bench/workerd-heap.ts), in MiB. */
  heapMb: number;
  /** How many times the heap was asked for during the tick. */
  heapSamples: number;
  /** leave ticks: whether the pupil's row is inactive after it. */
  pupilInactive?: boolean;
};

type RunRow = {
  status: string;
  duration_ms: number | null;
  bakalari_requests: number;
  statements: number;
  counts: Record<string, Record<string, number>> | null;
  coverage: { rosters?: { groupsRead?: number; groupsReused?: number } } | null;
};

async function main(): Promise<void> {
  const options = parseOptions();
  const { started, loadBefore, cluster, proxy } = await startBench();
  configureNodeDriver(proxy.url);
  const admin = openAdmin(cluster.url.replace(/\/[^/]+$/, "/postgres"));
  const ticks: Tick[] = [];
  let school = "";
  try {
    for (const mode of options.publicModes) {
      const database = `wrangler_${mode}`;
      await admin.drop(database);
      await admin.query(`create database ${database}`);
      await migrateDatabase(admin.urlOf(database), proxy.url);
      const pool = new Pool({ connectionString: admin.urlOf(database), max: 1 });
      pool.on("error", () => undefined);
      const fake = await startFake(options.size);
      school = fake.school;
      const control = fakeControl(fake.url);
      if (options.latencyMs > 0) await control.setFaults([{ path: "^/", kind: "latency", ms: options.latencyMs }]);
      const worker = await startWorker({
        vars: {
          DATABASE_URL: admin.urlOf(database),
          NEON_WS_PROXY: proxy.url,
          BAKALARI_URL: fake.url,
          BAKALARI_USERNAME: fake.username,
          BAKALARI_PASSWORD: fake.password,
          BAKALARI_TOKEN_KEY: randomBytes(32).toString("base64"),
          OPERATOR_TOKEN: `bench-${randomBytes(24).toString("base64url")}`,
          BAKALARI_PUBLIC_TIMETABLE: mode,
        },
      });
      console.log(`bench:wrangler: public timetable ${mode}: ${fake.school}; wrangler dev on ${worker.url}`);
      const heap = await connectWorkerdHeap(worker.inspectorPort);
      try {
        const tick = async (kind: Tick["kind"], n: number): Promise<Tick> => {
          const before = (await control.stats()).requests.total;
          const runsBefore = await runCount(pool);
          const watch = heap.watch();
          const t = performance.now();
          const res = await fetch(`${worker.url}/__scheduled?cron=${encodeURIComponent(CRON)}`);
          const answer = await res.text();
          const ms = Math.round(performance.now() - t);
          const heapSeen = await watch.stop();
          // A failed or held run makes the handler throw: wrangler answers 500, and the record says why.
          const run = await finishedRun(pool, runsBefore);
          if (!res.ok && run.status === "ok") throw new Error(`/__scheduled answered ${res.status}: ${answer.slice(0, 500)}`);
          const result: Tick = {
            publicTimetable: mode,
            kind,
            n,
            status: run.status,
            ms,
            durationMs: run.duration_ms ?? 0,
            requests: run.bakalari_requests,
            fakeRequests: (await control.stats()).requests.total - before,
            rostersRead: run.coverage?.rosters?.groupsRead ?? 0,
            rostersReused: run.coverage?.rosters?.groupsReused ?? 0,
            rowsChanged: changed(run.counts),
            statements: run.statements,
            heapMb: heapSeen.peakMb,
            heapSamples: heapSeen.samples,
          };
          ticks.push(result);
          console.log(
            `bench:wrangler: ${mode} ${kind} ${n}: ${run.status}, ${ms} ms, ${result.requests} requests, heap ${result.heapMb} MB (${result.heapSamples} samples)`,
          );
          return result;
        };
        await tick("first", 0);
        for (let i = 1; i <= options.ticks; i++) await tick("unchanged", i);
        const { studentIds } = await control.change({ op: "dropStudents", count: 1 });
        const pupil = studentIds[0]!;
        for (let i = 1; i <= LEAVE_TICKS_MAX; i++) {
          const t = await tick("leave", i);
          t.pupilInactive = !(await isActive(pool, pupil));
          if (t.pupilInactive) break;
        }
      } finally {
        await heap.close();
        await worker.stop();
        await fake.stop();
        await pool.end();
      }
    }
  } finally {
    await admin.end();
    await proxy.close();
    await cluster.stop();
  }

  const goals = options.publicModes.flatMap((mode) =>
    goalsOf(
      ticks.filter((t) => t.publicTimetable === mode),
      mode,
    ),
  );
  const totalSeconds = Math.round((performance.now() - started) / 1000);
  const machine = `${os.cpus()[0]?.model.trim() ?? "unknown"}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
  console.log(`\n${table(ticks)}\n\n${goals.map((g) => `${g.pass ? "PASS" : "MISS"}  ${g.name}: ${g.value}`).join("\n")}`);
  console.log(`\nbench:wrangler: ${machine}; load average before ${loadBefore.map((n) => n.toFixed(2)).join(" ")}; ${totalSeconds} s`);
  const wranglerDev = {
    machine,
    generatedAt: new Date().toISOString(),
    totalSeconds,
    loadAverage: { before: loadBefore, after: os.loadavg() },
    school,
    method: {
      worker:
        "wrangler dev --test-scheduled (workerd), wrangler.toml's vars, BAKALARI_TOKEN_KEY set; PostgreSQL local through dev/ws-proxy.ts",
      bakalari: `the fake school (dev/fake-bakalari, size ${options.size}) in a child process, every request answered ${options.latencyMs} ms later (fault rule { path: "^/", kind: "latency" })`,
      runs: "every run a cron tick: GET /__scheduled (answers once the handler finished); ms is its wall time; the first on an empty database",
      requests: "requests: the run record's bakalariRequests; fakeRequests: the fake's own count over the tick",
      heap: "heapMb: the largest used V8 heap of the Worker's isolate seen during the tick, Runtime.getHeapUsage through wrangler's inspector every 5 ms (bench/workerd-heap.ts); seen between the Worker's tasks only, so a lower bound of its peak; the heap is not capped, so it holds garbage not yet collected",
    },
    options,
    ticks,
    goals,
  };
  writeWranglerResults(wranglerDev);
  console.log("bench:wrangler: wrote wranglerDev in bench/results.json");
}

async function runCount(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>("select count(*)::int as n from sync_runs");
  return rows[0]!.n;
}

/** The run the tick made, once it has finished (its record is no longer running). */
async function finishedRun(pool: Pool, runsBefore: number): Promise<RunRow> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const { rows } = await pool.query<RunRow & { n: number }>(
      "select status, duration_ms, bakalari_requests, statements, counts, coverage, (select count(*)::int from sync_runs) as n " +
        "from sync_runs order by started_at desc, id desc limit 1",
    );
    const run = rows[0];
    if (run && run.n > runsBefore && run.status !== "running") return run;
    if (Date.now() > deadline) throw new Error("the tick left no finished run record within 10 minutes");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function isActive(pool: Pool, externalId: string): Promise<boolean> {
  const { rows } = await pool.query<{ active: boolean }>(
    "select u.active from external_refs r join users u on u.id = r.internal_id::uuid where r.type = 'user' and r.external_id = $1",
    [externalId],
  );
  if (!rows[0]) throw new Error("the pupil who left has no row: was the first sync whole?");
  return rows[0].active;
}

function changed(counts: RunRow["counts"]): number {
  let n = 0;
  for (const c of Object.values(counts ?? {})) n += (c.created ?? 0) + (c.updated ?? 0) + (c.deactivated ?? 0) + (c.reactivated ?? 0);
  return n;
}

type Goal = { name: string; pass: boolean; value: string };

function goalsOf(ticks: Tick[], mode: PublicMode): Goal[] {
  const first = ticks.find((t) => t.kind === "first")!;
  const unchanged = ticks.filter((t) => t.kind === "unchanged");
  const leave = ticks.filter((t) => t.kind === "leave");
  const ratio = (pick: (t: Tick) => number) => unchanged.map((t) => pick(t) / pick(first));
  const requests = ratio((t) => t.requests);
  const time = ratio((t) => t.ms);
  const range = (xs: number[]) => `${Math.max(...xs).toFixed(2)} at most, median ${median(xs).toFixed(2)}`;
  const deactivatedAt = leave.find((t) => t.pupilInactive)?.n;
  const label = `public timetable ${mode}`;
  return [
    {
      name: `${label}: every unchanged cron tick ≤ 1/3 of the first sync's Bakaláři requests`,
      pass: Math.max(...requests) <= 1 / 3,
      value: `${range(requests)} (${unchanged.map((t) => t.requests).join(", ")} / ${first.requests} requests)`,
    },
    {
      name: `${label}: every unchanged cron tick ≤ 0.4 of the first sync's time`,
      pass: Math.max(...time) <= 0.4,
      value: `${range(time)} (${unchanged.map((t) => thousands(t.ms)).join(", ")} / ${thousands(first.ms)} ms)`,
    },
    {
      name: `${label}: unchanged cron ticks write nothing`,
      pass: unchanged.every((t) => t.status === "ok" && t.rowsChanged === 0),
      value: unchanged.map((t) => `${t.status} ${t.rowsChanged}`).join(", "),
    },
    {
      name: `${label}: a pupil who left is deactivated within ${LEAVE_TICKS} ticks`,
      pass: deactivatedAt !== undefined && deactivatedAt <= LEAVE_TICKS,
      value: deactivatedAt === undefined ? `still active after ${leave.length} ticks` : `inactive after tick ${deactivatedAt}`,
    },
  ];
}

const thousands = (n: number) => Math.round(n).toLocaleString("en-US");

function table(ticks: Tick[]): string {
  const header = [
    "public",
    "tick",
    "status",
    "ms",
    "run ms",
    "requests",
    "fake req",
    "read",
    "reused",
    "changed",
    "stmts",
    "heap MB",
    "pupil",
  ];
  const lines = ticks.map((t) => [
    t.publicTimetable,
    t.kind === "first" ? "first" : `${t.kind} ${t.n}`,
    t.status,
    thousands(t.ms),
    thousands(t.durationMs),
    String(t.requests),
    String(t.fakeRequests),
    String(t.rostersRead),
    String(t.rostersReused),
    String(t.rowsChanged),
    String(t.statements),
    t.heapMb.toFixed(1),
    t.pupilInactive === undefined ? "" : t.pupilInactive ? "inactive" : "active",
  ]);
  const numeric = header.map((_, i) => i >= 3 && i < header.length - 1);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const cell = (text: string, i: number) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [row(header), rule, ...lines.map(row)].join("\n");
}

main().catch((error: unknown) => {
  console.error(`bench:wrangler: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
