/**
 * The benchmark's output: one row per profile, size and scenario (medians of the measured
 * runs), the table on stdout, bench/results.json, and the goals of issue 14 with MET/MISS.
 */
import type { SchoolSize } from "../dev/fake-bakalari/control";
import type { PhaseHeap, Profile, RunSample, Scenario, ScenarioResult } from "./scenario";
import { median } from "./stats";

/** A run's figures (medians over the measured runs), and what the scenario adds. */
export type ResultRow = {
  profile: Profile;
  size: SchoolSize;
  scenario: Scenario;
} & Omit<RunSample, "counts"> & {
    peakRssMb: number;
    /**
     * Peak V8 heapUsed (ScenarioResult.heapMb) of one run in a process of its own with V8's
     * heap capped at heapCapMb; null when that process ran out of heap. Without a cap
     * (--heap-cap none): the timed runs' own peak.
     */
    heapMb: number | null;
    heapCapMb: number | null;
    /** 0 when there is no naive figure. */
    naiveMs: number;
    naiveExtrapolated: boolean;
    /** 0 for an unchanged re-sync: nothing to write, so no floor (n/a). */
    floorMs: number;
    // Beyond the issue's shape:
    baseRssMb: number;
    /** The largest used heap right after a full GC in the run heapMb comes from: what was live at most, roughly. */
    heapAfterGcMb: number | null;
    /** GCs (all, and full ones) during the run heapMb comes from. */
    gcCount: number | null;
    fullGcCount: number | null;
    /** Peak V8 heapUsed of the timed runs themselves, V8's heap not capped (so it grows before it collects). */
    timedHeapMb: number;
    reps: number;
    naiveRuns: number;
    naiveOverOurs: number | null;
    oursOverFloor: number | null;
    naiveStatements: number;
    naiveRecords: number;
    naiveSampled: number;
    floorStatements: number;
    runsMs: number[];
    warmupMs: number;
    /** Figures that differed between repetitions (expected: none). */
    varies: string[];
  };

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** `capped`: the heap figures of the scenario's capped run (result null: it ran out of heap). */
export function toRow(r: ScenarioResult, capped?: { capMb: number; result: ScenarioResult | null }): ResultRow {
  const heap = capped === undefined ? r : capped.result;
  const runs = r.runs;
  const applyMs = median(runs.map((x) => x.applyMs));
  const naiveMs = r.naive ? round(r.naive.ms) : 0;
  const floorMs = r.floor ? round(r.floor.ms) : 0;
  const varies: string[] = [];
  for (const key of ["statements", "bakalariRequests", "rowsWritten"] as const) {
    const seen = new Set(runs.map((x) => x[key]));
    if (seen.size > 1) varies.push(`${key}: ${[...seen].join("/")}`);
  }
  if (new Set(runs.map((x) => JSON.stringify(x.counts))).size > 1) varies.push("counts differ between runs");
  if (runs[0] && JSON.stringify(runs[0].counts) !== JSON.stringify(r.planCounts))
    varies.push("the baselines' plan counts differ from the runs'");
  return {
    profile: r.profile,
    size: r.size,
    scenario: r.scenario,
    ms: round(median(runs.map((x) => x.ms))),
    sourceMs: median(runs.map((x) => x.sourceMs)),
    stateMs: median(runs.map((x) => x.stateMs)),
    planMs: median(runs.map((x) => x.planMs)),
    applyMs,
    statements: median(runs.map((x) => x.statements)),
    bakalariRequests: median(runs.map((x) => x.bakalariRequests)),
    rowsWritten: median(runs.map((x) => x.rowsWritten)),
    peakRssMb: r.peakRssMb,
    heapMb: heap?.heapMb ?? null,
    heapCapMb: capped?.capMb ?? null,
    naiveMs,
    naiveExtrapolated: r.naive?.extrapolated ?? false,
    floorMs,
    baseRssMb: r.baseRssMb,
    heapAfterGcMb: heap?.heapAfterGcMb ?? null,
    gcCount: heap?.gcCount ?? null,
    fullGcCount: heap?.fullGcCount ?? null,
    timedHeapMb: r.heapMb,
    reps: runs.length,
    naiveRuns: r.naive?.runs.length ?? 0,
    naiveOverOurs: r.naive && applyMs > 0 ? round(naiveMs / applyMs) : null,
    oursOverFloor: r.floor && floorMs > 0 ? round(applyMs / floorMs, 2) : null,
    naiveStatements: r.naive?.statements ?? 0,
    naiveRecords: r.naive?.records ?? 0,
    naiveSampled: r.naive?.sampled ?? 0,
    floorStatements: r.floor?.statements ?? 0,
    runsMs: runs.map((x) => round(x.ms)),
    warmupMs: round(r.warmup.ms),
    varies,
  };
}

const thousands = (n: number) => Math.round(n).toLocaleString("en-US");

/** A Markdown table: it reads on a terminal and pastes into the README as it is. */
export function table(rows: ResultRow[]): string {
  const header = [
    "profile",
    "size",
    "scenario",
    "ms",
    "source",
    "state",
    "plan",
    "apply",
    "stmts",
    "requests",
    "rows",
    "peak RSS MB",
    "heap MB",
    "naive ms",
    "naive/ours",
    "floor ms",
    "ours/floor",
  ];
  const lines = rows.map((r) => [
    r.profile,
    r.size,
    r.scenario,
    thousands(r.ms),
    thousands(r.sourceMs),
    thousands(r.stateMs),
    thousands(r.planMs),
    thousands(r.applyMs),
    String(r.statements),
    String(r.bakalariRequests),
    thousands(r.rowsWritten),
    r.peakRssMb.toFixed(0),
    r.heapMb === null ? `> ${r.heapCapMb}` : `${r.heapMb.toFixed(0)}${r.heapCapMb === null ? "†" : ""}`,
    r.naiveMs ? `${thousands(r.naiveMs)}${r.naiveExtrapolated ? "*" : ""}` : "n/a",
    r.naiveOverOurs === null ? "n/a" : `${r.naiveOverOurs.toFixed(0)}×`,
    r.floorMs ? thousands(r.floorMs) : "n/a",
    r.oursOverFloor === null ? "n/a" : `${r.oursOverFloor.toFixed(2)}×`,
  ]);
  const numeric = header.map((_, i) => i >= 3);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const cell = (text: string, i: number) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  const notes = rows
    .filter((r) => r.naiveExtrapolated)
    .map((r) => `${r.profile} ${r.size}/${r.scenario}: ${thousands(r.naiveSampled)} of ${thousands(r.naiveRecords)} records`);
  const out = [row(header), rule, ...lines.map(row)];
  if (notes.length > 0)
    out.push("", `* naive extrapolated linearly from a sample (per entity type and kind of write): ${notes.join("; ")}.`);
  if (rows.some((r) => r.heapCapMb === null))
    out.push(
      "† heap MB of the timed runs, V8's heap not capped: V8 lets it grow before it collects (the capped figures are the local profile's).",
    );
  for (const r of rows)
    if (r.varies.length > 0) out.push(`! ${r.profile} ${r.size}/${r.scenario} varied between repetitions: ${r.varies.join("; ")}`);
  return out.join("\n");
}

export type Target = { name: string; pass: boolean | null; value: string };

/** The goals of issue 14, on the large school. */
export function targets(rows: ResultRow[], totalSeconds: number): Target[] {
  const at = (profile: Profile, scenario: Scenario) =>
    rows.find((r) => r.profile === profile && r.size === "large" && r.scenario === scenario);
  const goal = (name: string, needs: (ResultRow | undefined)[], test: () => boolean, value: () => string): Target =>
    needs.every((r) => r !== undefined)
      ? { name, pass: test(), value: value() }
      : { name, pass: null, value: "not run (profile or large size not selected)" };
  const lf = at("local", "first");
  const lu = at("local", "unchanged");
  const ef = at("edge", "first");
  const eu = at("edge", "unchanged");
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);
  const fixed = (n: number, digits = 2) => n.toFixed(digits);
  return [
    goal(
      "local, large first sync: write phase within 3× of the floor",
      [lf],
      () => lf!.oursOverFloor !== null && lf!.oursOverFloor <= 3,
      () => `${lf!.oursOverFloor}× (apply ${thousands(lf!.applyMs)} ms / floor ${thousands(lf!.floorMs)} ms)`,
    ),
    goal(
      "local, large first sync: ≤ 50 statements (all included)",
      [lf],
      () => lf!.statements <= 50,
      () => `${lf!.statements} statements`,
    ),
    goal(
      "local, large first sync: plan ≤ 10% of the sync",
      [lf],
      () => lf!.planMs <= 0.1 * lf!.ms,
      () => `${fixed(100 * ratio(lf!.planMs, lf!.ms), 1)}% (plan ${thousands(lf!.planMs)} ms of ${thousands(lf!.ms)} ms)`,
    ),
    goal(
      "local, large first sync: heapMb ≤ 64",
      [lf],
      () => lf!.heapMb !== null && lf!.heapMb <= 64,
      () =>
        lf!.heapMb === null
          ? `ran out of heap with V8's heap capped at ${lf!.heapCapMb} MB`
          : `${lf!.heapMb} MB peak heapUsed${lf!.heapCapMb === null ? "" : ` (V8's heap capped at ${lf!.heapCapMb} MB)`}, ${lf!.heapAfterGcMb} MB at most after a full GC; ${lf!.timedHeapMb} MB in the timed runs, uncapped`,
    ),
    goal(
      "local, large unchanged cron tick: ≤ 0.3 of the first sync's time, 0 rows written",
      [lf, lu],
      () => lu!.ms <= 0.3 * lf!.ms && lu!.rowsWritten === 0,
      () => `${fixed(ratio(lu!.ms, lf!.ms))} (${thousands(lu!.ms)} ms / ${thousands(lf!.ms)} ms), ${lu!.rowsWritten} rows`,
    ),
    goal(
      "edge, large first sync: write phase ≥ 100× faster than per record (naive)",
      [ef],
      () => (ef!.naiveOverOurs ?? 0) >= 100,
      () =>
        `${ef!.naiveOverOurs}× (naive ${thousands(ef!.naiveMs)} ms${ef!.naiveExtrapolated ? ", extrapolated" : ""} / apply ${thousands(ef!.applyMs)} ms)`,
    ),
    goal(
      "edge, large unchanged cron tick: ≤ 1/3 of the first sync's Bakaláři requests",
      [ef, eu],
      () => eu!.bakalariRequests <= ef!.bakalariRequests / 3,
      () => `${fixed(ratio(eu!.bakalariRequests, ef!.bakalariRequests))} (${eu!.bakalariRequests} / ${ef!.bakalariRequests} requests)`,
    ),
    goal(
      "edge, large unchanged cron tick: ≤ 0.4 of the first sync's time, 0 rows written",
      [ef, eu],
      () => eu!.ms <= 0.4 * ef!.ms && eu!.rowsWritten === 0,
      () => `${fixed(ratio(eu!.ms, ef!.ms))} (${thousands(eu!.ms)} ms / ${thousands(ef!.ms)} ms), ${eu!.rowsWritten} rows`,
    ),
    { name: "whole bench ≤ 15 minutes", pass: totalSeconds <= 15 * 60, value: `${(totalSeconds / 60).toFixed(1)} min` },
  ];
}

export function targetLines(list: Target[]): string {
  return list.map((t) => `${t.pass === null ? "----" : t.pass ? "MET " : "MISS"}  ${t.name}: ${t.value}`).join("\n");
}

/** --heap-phases: a run's phases, each's peak used heap and what stays live after it. */
export function phaseTable(phases: PhaseHeap[]): string {
  const lines = phases.map(
    (p) =>
      `| ${p.phase.padEnd(6)} | ${String(p.ms).padStart(6)} | ${p.peakMb.toFixed(1).padStart(7)} | ${(p.fullGcMb ? p.fullGcMb.toFixed(1) : "-").padStart(16)} | ${p.liveAfterMb.toFixed(1).padStart(13)} |`,
  );
  return [
    "| phase  |     ms | peak MB | after full GC MB | live after MB |",
    "|--------|-------:|--------:|-----------------:|--------------:|",
    ...lines,
  ].join("\n");
}
