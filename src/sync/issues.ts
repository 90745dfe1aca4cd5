/**
 * A run's warnings and errors, bounded. A hostile or broken feed can make tens of
 * thousands of them (one per bad record), and the run's record, its API answers and its
 * log events must stay small whatever the feed. So a run keeps at most MAX_KEPT_ISSUES of
 * each in full (the first of every code before any second one, in the order they came),
 * within a byte budget, and counts every one by code.
 *
 * Stored, a list that had to be cut ends with one summary entry (code WARNINGS_OMITTED or
 * ERRORS_OMITTED) holding the counts by code of all of them: the `sync_runs` columns stay
 * arrays of `{ code, message }`, readable in SQL as before, and no migration is needed.
 */
import type { Coverage } from "../bakalari/roster";
import { ROSTER_WARNING, type RunErrorCode, type WarningCode } from "../codes";

/** At most this many warnings (and as many errors) are kept in full per run. */
export const MAX_KEPT_ISSUES = 200;
/**
 * ...and at most this many bytes of them (as JSON): 200 ordinary warnings take about 38 KB,
 * and a run's record stays under 64 KB with the errors' and the exempt classes' budgets.
 */
export const MAX_KEPT_WARNING_BYTES = 40 * 1024;
export const MAX_KEPT_ERROR_BYTES = 4 * 1024;
/** A longer message is cut, so that one message cannot take the whole budget. */
export const MAX_MESSAGE_CHARS = 500;
/** The exempt classes listed by id in a run's coverage (the count, classesExempt, is always whole). */
export const MAX_EXEMPT_LISTED = 200;
export const MAX_EXEMPT_BYTES = 4 * 1024;

export type Issue = { code: WarningCode | RunErrorCode; message: string; externalId?: string };
/** Issues by code: { BAKALARI_RECORD_INVALID: 60000, … }. */
export type IssueCounts = Record<string, number>;
export type BoundedIssues<T extends Issue> = { kept: T[]; count: number; counts: IssueCounts };

const OMITTED = { warnings: ROSTER_WARNING.warningsOmitted, errors: "ERRORS_OMITTED" } as const;
type Kind = keyof typeof OMITTED;

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

/** Cuts a message to MAX_MESSAGE_CHARS, never inside a surrogate pair. */
function shorten<T extends Issue>(issue: T): T {
  if (issue.message.length <= MAX_MESSAGE_CHARS) return issue;
  let end = MAX_MESSAGE_CHARS - 1;
  if (/[\uD800-\uDBFF]/.test(issue.message[end - 1]!)) end -= 1;
  return { ...issue, message: `${issue.message.slice(0, end)}…` };
}

/** Keeps at most MAX_KEPT_ISSUES within `budget` bytes, the first of each code first; counts them all. */
export function boundIssues<T extends Issue>(all: readonly T[], budget = MAX_KEPT_WARNING_BYTES): BoundedIssues<T> {
  const counts: IssueCounts = {};
  const firstOfCode: number[] = [];
  all.forEach((issue, i) => {
    if (counts[issue.code] === undefined) firstOfCode.push(i);
    counts[issue.code] = (counts[issue.code] ?? 0) + 1;
  });
  const chosen = new Map<number, T>();
  let bytes = 0;
  const take = (i: number): boolean => {
    if (chosen.has(i)) return true;
    if (chosen.size >= MAX_KEPT_ISSUES) return false;
    const issue = shorten(all[i]!);
    const size = jsonBytes(issue) + 1;
    if (bytes + size > budget) return false;
    chosen.set(i, issue);
    bytes += size;
    return true;
  };
  for (const i of firstOfCode) take(i);
  for (let i = 0; i < all.length && take(i); i++);
  const kept = [...chosen.keys()].sort((a, b) => a - b).map((i) => chosen.get(i)!);
  return { kept, count: all.length, counts };
}

/** The warnings as a run's answers carry them: the kept ones, their number and the counts by code. */
export function warningFields<T extends Issue>(all: readonly T[]) {
  const b = boundIssues(all, MAX_KEPT_WARNING_BYTES);
  return { warnings: b.kept, warningCount: b.count, warningCounts: b.counts };
}

export function errorFields<T extends Issue>(all: readonly T[]) {
  const b = boundIssues(all, MAX_KEPT_ERROR_BYTES);
  return { errors: b.kept, errorCount: b.count, errorCounts: b.counts };
}

/** What a `sync_runs` column keeps: the kept issues, then a summary entry when some were left out. */
export function toStored(kind: Kind, all: readonly Issue[]): Issue[] {
  const b = boundIssues(all, kind === "warnings" ? MAX_KEPT_WARNING_BYTES : MAX_KEPT_ERROR_BYTES);
  if (b.kept.length === b.count) return b.kept;
  const left = b.count - b.kept.length;
  const summary = {
    code: OMITTED[kind],
    message: `${left} more ${kind === "warnings" ? "warning" : "error"}${left === 1 ? " was" : "s were"} counted but not kept (at most ${MAX_KEPT_ISSUES} are kept); counts holds every one by code`,
    counts: b.counts,
  };
  return [...b.kept, summary];
}

/** Reads a `sync_runs` column back: the kept issues and the counts of all of them (older records hold no summary). */
export function fromStored<T extends Issue>(kind: Kind, stored: unknown): BoundedIssues<T> {
  const list = (Array.isArray(stored) ? stored : []) as (T & { counts?: unknown })[];
  const last = list.at(-1);
  if (last && last.code === OMITTED[kind] && last.counts && typeof last.counts === "object") {
    const counts = last.counts as IssueCounts;
    const count = Object.values(counts).reduce((sum, n) => sum + (Number(n) || 0), 0);
    return { kept: list.slice(0, -1), count, counts };
  }
  const counts: IssueCounts = {};
  for (const issue of list) counts[issue.code] = (counts[issue.code] ?? 0) + 1;
  return { kept: list, count: list.length, counts };
}

/**
 * The coverage with its list of exempt classes cut to MAX_EXEMPT_LISTED ids within
 * MAX_EXEMPT_BYTES (a feed of thousands of classes would list thousands); the counts stay whole.
 */
export function boundCoverage<C extends Coverage | null>(coverage: C): C {
  const exempt = coverage?.rosters?.exempt;
  if (!coverage || !Array.isArray(exempt)) return coverage;
  let bytes = 0;
  let n = 0;
  for (; n < exempt.length && n < MAX_EXEMPT_LISTED; n++) {
    bytes += jsonBytes(exempt[n]) + 1;
    if (bytes > MAX_EXEMPT_BYTES) break;
  }
  if (n === exempt.length) return coverage;
  return { ...coverage, rosters: { ...coverage.rosters, exempt: exempt.slice(0, n) } };
}
