/**
 * The dashboard reads runs through the server's own type (SyncRunSummary, src/sync/run-records.ts),
 * so a field renamed or retyped on the server fails `npm run typecheck` in the client instead of
 * on an operator's screen. tsc checks this file; vitest never runs it.
 */
import { type DashboardRun, changeLines, changePoints, durationPoints } from "../../src/http/dashboard/client/figures";
import type { SyncRunSummary } from "../../src/sync/run-records";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when its type argument is `true`. */
const expectTrue = <T extends true>(value: T): T => value;

/** A run as it would be if the server renamed its field K to To. */
type Renamed<K extends keyof SyncRunSummary, To extends string> = Omit<SyncRunSummary, K> & Record<To, SyncRunSummary[K]>;

// The run the client reads is the server's, field for field: a hand-made copy of it, or a looser
// type, fails here as soon as the server's type moves.
expectTrue<Equal<DashboardRun, SyncRunSummary>>(true);
expectTrue<Equal<Parameters<typeof changeLines>[0], SyncRunSummary>>(true);
expectTrue<Equal<Parameters<typeof changePoints>[0][number], SyncRunSummary>>(true);
expectTrue<Equal<Parameters<typeof durationPoints>[0][number], SyncRunSummary>>(true);

// A renamed field is refused where the client reads it.
declare const durationRenamed: Renamed<"durationMs", "duration">;
declare const countsRenamed: Renamed<"counts", "tallies">;
declare const startedRenamed: Renamed<"startedAt", "started">;
declare const statusRenamed: Renamed<"status", "state">;

// @ts-expect-error the durations chart reads durationMs
durationPoints([durationRenamed], { ok: { label: "OK" } });
// @ts-expect-error the runs table reads counts
changeLines(countsRenamed);
// @ts-expect-error the changes chart reads startedAt
changePoints([startedRenamed]);
// @ts-expect-error both charts read status
changePoints([statusRenamed]);
