/**
 * What the dashboard reads from a run, as plain text and numbers: no DOM here, so that
 * test/dashboard/run-type.test-d.ts can hold these functions to the server's types
 * (src/sync/run-records.ts) under the project's own tsc.
 */
import { displayText } from "../../../display";
import { describeHold, type HoldReason } from "../../../sync/guard";
import { ENTITY_TYPES, type Counts, type EntityCounts } from "../../../sync/plan";
import type { SyncRunSummary } from "../../../sync/run-records";

/** A run as the runs list gives it: the server's own type, never a copy of it. */
export type DashboardRun = SyncRunSummary;
export type RunStatus = DashboardRun["status"];
export type CountKind = keyof EntityCounts;
export type ChangeKind = Exclude<CountKind, "unchanged">;

/** Every kind a run counts, in the order shown; a kind the server adds fails to compile here until named. */
export const KIND_LABELS: Record<CountKind, string> = {
  created: "Created",
  updated: "Updated",
  unchanged: "Unchanged",
  deactivated: "Deactivated",
  reactivated: "Reactivated",
};
export const KINDS = Object.keys(KIND_LABELS) as CountKind[];
export const CHANGE_KINDS = KINDS.filter((k): k is ChangeKind => k !== "unchanged");

/** Looks a key up in a table of our own; an unknown key (whatever the API sent) finds nothing. */
export function lookup<K extends string, V>(table: Record<K, V>, key: unknown): V | undefined {
  return typeof key === "string" && Object.hasOwn(table, key) ? table[key as K] : undefined;
}

/** Text from Bakaláři or the API, with control and format characters shown as escapes (src/display.ts). */
export function textOf(value: unknown): string {
  return displayText(String(value ?? ""));
}

export const number = new Intl.NumberFormat();
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const shortTime = new Intl.DateTimeFormat(undefined, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });

export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

export function shortWhen(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : shortTime.format(d);
}

export function duration(ms: number | null | undefined): string {
  if (typeof ms !== "number") return "\u2014";
  if (ms < 1000) return ms + " ms";
  if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
  return Math.floor(ms / 60000) + " min " + Math.round((ms % 60000) / 1000) + " s";
}

export function plural(n: number, one: string, many: string): string {
  return number.format(n) + " " + (n === 1 ? one : many);
}

/** One hold reason, with the ratio that tripped the guard, in the guard's own words. */
export const holdText = (r: HoldReason): string => describeHold(r, (n) => number.format(n));

/** The counts of every type added up, by kind. */
export function changeTotals(counts: Counts | null | undefined): EntityCounts {
  const totals: EntityCounts = { created: 0, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0 };
  for (const t of ENTITY_TYPES) {
    const c = counts?.[t];
    if (c) for (const k of KINDS) totals[k] += Number(c[k]) || 0;
  }
  return totals;
}

/** The runs table's changes: a line per type that changed ("users: 3 created, 1 updated"); null before a run counted. */
export function changeLines(run: DashboardRun): string[] | null {
  if (!run.counts) return null;
  const lines: string[] = [];
  for (const t of ENTITY_TYPES) {
    const c = run.counts[t];
    if (!c) continue;
    const bits = CHANGE_KINDS.filter((k) => Number(c[k]) > 0).map((k) => number.format(c[k]) + " " + k);
    if (bits.length) lines.push(t + ": " + bits.join(", "));
  }
  return lines;
}

/** A bar of a chart: values of its stacked series, the axis label and the bar's title. */
export type Point<K extends string> = { values: Partial<Record<K, number>>; when: string; label: string };

/** The durations chart's bars: every finished run with a duration, oldest first. */
export function durationPoints<S extends RunStatus>(runs: readonly DashboardRun[], series: Record<S, { label: string }>) {
  const timed = runs
    .slice()
    .reverse()
    .filter(
      (r): r is DashboardRun & { status: S; durationMs: number } =>
        typeof r.durationMs === "number" && lookup(series, r.status) !== undefined,
    );
  const points = timed.map(
    (r): Point<S> => ({
      values: { [r.status]: r.durationMs } as Partial<Record<S, number>>,
      when: shortWhen(r.startedAt),
      label: when(r.startedAt) + ": " + series[r.status].label + ", " + duration(r.durationMs),
    }),
  );
  return { timed, points };
}

/** The changes chart's bars: every applied run, oldest first, its rows changed by kind. */
export function changePoints(runs: readonly DashboardRun[]) {
  const applied = runs
    .slice()
    .reverse()
    .filter((r) => r.status === "ok" && r.counts);
  const points = applied.map((r): Point<ChangeKind> => {
    const t = changeTotals(r.counts);
    const values: Partial<Record<ChangeKind, number>> = {};
    for (const k of CHANGE_KINDS) values[k] = t[k];
    return {
      values,
      when: shortWhen(r.startedAt),
      label: when(r.startedAt) + ": " + CHANGE_KINDS.map((k) => number.format(t[k]) + " " + k).join(", "),
    };
  });
  return { applied, points };
}
