/**
 * The benchmark's output: one row per size and scenario (medians of the measured runs),
 * the table on stdout, bench/results.json, and the targets of issue 8 with PASS/MISS.
 */
import type { SchoolSize } from "../dev/fake-bakalari/control";
import type { RunSample, Scenario, ScenarioResult } from "./scenario";
import { median } from "./stats";

/** A run's figures (medians over the measured runs), and what the scenario adds. */
export type ResultRow = {
  size: SchoolSize;
  scenario: Scenario;
} & Omit<RunSample, "counts"> & {
    peakRssMb: number;
    /** 0 when there is no naive figure. */
    naiveMs: number;
    naiveExtrapolated: boolean;
    /** 0 for an unchanged re-sync: nothing to write, so no floor (n/a). */
    floorMs: number;
    // Beyond the issue's shape:
    baseRssMb: number;
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

export function toRow(r: ScenarioResult): ResultRow {
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
    naiveMs,
    naiveExtrapolated: r.naive?.extrapolated ?? false,
    floorMs,
    baseRssMb: r.baseRssMb,
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
    "naive ms",
    "naive/ours",
    "floor ms",
    "ours/floor",
  ];
  const lines = rows.map((r) => [
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
    r.naiveMs ? `${thousands(r.naiveMs)}${r.naiveExtrapolated ? "*" : ""}` : "n/a",
    r.naiveOverOurs === null ? "n/a" : `${r.naiveOverOurs.toFixed(0)}×`,
    r.floorMs ? thousands(r.floorMs) : "n/a",
    r.oursOverFloor === null ? "n/a" : `${r.oursOverFloor.toFixed(2)}×`,
  ]);
  const numeric = header.map((_, i) => i >= 2);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const cell = (text: string, i: number) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  const notes = rows
    .filter((r) => r.naiveExtrapolated)
    .map((r) => `${r.size}/${r.scenario}: ${thousands(r.naiveSampled)} of ${thousands(r.naiveRecords)} records`);
  const out = [row(header), rule, ...lines.map(row)];
  if (notes.length > 0)
    out.push("", `* naive extrapolated linearly from a sample (per entity type and kind of write): ${notes.join("; ")}.`);
  for (const r of rows) if (r.varies.length > 0) out.push(`! ${r.size}/${r.scenario} varied between repetitions: ${r.varies.join("; ")}`);
  return out.join("\n");
}

export type Target = { name: string; pass: boolean | null; value: string };

export function targets(rows: ResultRow[], totalSeconds: number): Target[] {
  const at = (size: SchoolSize, scenario: Scenario) => rows.find((r) => r.size === size && r.scenario === scenario);
  const first = at("large", "first");
  const unchanged = at("large", "unchanged");
  const large = rows.filter((r) => r.size === "large");
  const check = (name: string, row: ResultRow | undefined, test: (r: ResultRow) => boolean, value: (r: ResultRow) => string): Target =>
    row ? { name, pass: test(row), value: value(row) } : { name, pass: null, value: "not run (large size not selected)" };
  const worstPlan = large.length > 0 ? large.reduce((a, b) => (b.planMs > a.planMs ? b : a)) : undefined;
  return [
    check(
      "large first sync ≤ 3 s",
      first,
      (r) => r.ms <= 3000,
      (r) => `${thousands(r.ms)} ms`,
    ),
    check(
      "large unchanged re-sync ≤ 1 s, 0 rows written",
      unchanged,
      (r) => r.ms <= 1000 && r.rowsWritten === 0,
      (r) => `${thousands(r.ms)} ms, ${r.rowsWritten} rows`,
    ),
    check(
      "≥ 100× faster than naive, large first sync (write phase)",
      first,
      (r) => (r.naiveOverOurs ?? 0) >= 100,
      (r) =>
        `${r.naiveOverOurs}× (naive ${thousands(r.naiveMs)} ms${r.naiveExtrapolated ? ", extrapolated" : ""} / apply ${thousands(r.applyMs)} ms)`,
    ),
    check(
      "within 3× of the floor, large first sync (write phase)",
      first,
      (r) => r.oursOverFloor !== null && r.oursOverFloor <= 3,
      (r) => `${r.oursOverFloor}× (apply ${thousands(r.applyMs)} ms / floor ${thousands(r.floorMs)} ms)`,
    ),
    check(
      "planMs ≤ 100 ms, large school (every scenario; the state read is stateMs)",
      worstPlan,
      (r) => r.planMs <= 100,
      (r) => `${thousands(r.planMs)} ms (worst: ${r.scenario})`,
    ),
    check(
      "≤ 50 statements, large first sync (all included)",
      first,
      (r) => r.statements <= 50,
      (r) => `${r.statements} statements`,
    ),
    { name: "whole bench ≤ 20 minutes", pass: totalSeconds <= 20 * 60, value: `${(totalSeconds / 60).toFixed(1)} min` },
  ];
}

export function targetLines(list: Target[]): string {
  return list.map((t) => `${t.pass === null ? "----" : t.pass ? "PASS" : "MISS"}  ${t.name}: ${t.value}`).join("\n");
}
