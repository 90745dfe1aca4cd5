/**
 * Talking to the Worker's JSON API with the operator token, which this tab keeps in
 * sessionStorage and nowhere else. Bodies are typed by the server's own types.
 */
import type { ApiErrorCode } from "../../../codes";
import type { HoldReason } from "../../../sync/guard";
import type { Health } from "../../../sync/health";
import type { RunError, SyncRun } from "../../../sync/run-records";
import { displayId } from "../../../display";
import type { DashboardRun } from "./figures";
import { textOf } from "./figures";

const TOKEN_KEY = "bakalari-sync.operator-token";

/** What every error answer carries (src/http/errors.ts), and the fields some of them add. */
export type Problem = {
  code?: ApiErrorCode;
  message?: string;
  requestId?: string | null;
  runId?: string;
  runningRunId?: string;
  errors?: RunError[];
  errorCount?: number;
};

/** 200 to POST /api/sync/bakalari: the run applied, or previewed (src/http/sync-routes.ts). */
export type SyncAnswer = Pick<SyncRun, "runId" | "completedAt" | "durationMs" | "counts" | "coverage" | "warnings" | "warningCount"> & {
  success: true;
  status: "ok" | "dry_run";
  wouldHold?: boolean;
  holdReasons?: HoldReason[];
};

/** 422 SAFETY_HOLD to POST /api/sync/bakalari: what the held run would change, and why it was held. */
export type HeldAnswer = Problem &
  Pick<SyncRun, "runId" | "counts" | "coverage" | "warnings" | "warningCount"> & {
    holdReasons?: HoldReason[];
  };

export type SyncReply = (SyncAnswer & Problem) | HeldAnswer;
export type RunsAnswer = Problem & { runs?: DashboardRun[] };
export type RunAnswer = Problem & { run?: SyncRun };
export type HealthAnswer = Problem & Partial<Health>;

/** An answer: status 0 when the Worker could not be reached; body null when it was not JSON. */
export type Answer<B> = { status: number; body: B | null; retryAfter: string | null };

export function token(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function keepToken(value: string): boolean {
  try {
    sessionStorage.setItem(TOKEN_KEY, value);
    return true;
  } catch {
    return false;
  }
}

export function forgetToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage off: nothing kept
  }
}

export async function call<B>(method: "GET" | "POST", path: string, body?: unknown): Promise<Answer<B>> {
  const headers: Record<string, string> = { accept: "application/json" };
  const t = token();
  if (t) headers.authorization = "Bearer " + t;
  const init: RequestInit = { method, headers, cache: "no-store", credentials: "omit" };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    return { status: 0, body: null, retryAfter: null };
  }
  let json: B | null = null;
  try {
    json = (await res.json()) as B;
  } catch {
    json = null;
  }
  return { status: res.status, body: json, retryAfter: res.headers.get("retry-after") };
}

export function describeProblem(res: Answer<Problem>, what: string): string {
  const b = res.body || {};
  let text = what + ": " + (b.message ? textOf(b.message) : "the Worker answered HTTP " + res.status);
  if (b.code) text += " (" + textOf(b.code) + ")";
  if (b.requestId) text += ". Request id " + displayId(String(b.requestId)) + ".";
  return text;
}
