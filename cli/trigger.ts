/**
 * `npm run trigger -- --url https://… [--dry-run] [--force]`: asks a deployed (or local)
 * Worker for a sync, checks the answer's shape, and prints a readable summary.
 * The token comes from OPERATOR_TOKEN, never from a flag (flags end up in shell history).
 *
 * Exit codes: 0 ok or dry run; 1 the run failed or the answer was not understood;
 * 2 usage or configuration; 3 held for review (SAFETY_HOLD); 4 another run in progress;
 * 5 refused (401 or 429).
 *
 * What it prints never holds the token: the token's characters are checked before it is
 * sent (a header the runtime refuses would be quoted in the error), and a failed request
 * is described by its cause only. What the Worker answers (ids, messages from Bakaláři) is
 * printed with control and format characters escaped, so it cannot drive the terminal.
 */
import path from "node:path";
import { parseArgs as parseCommandLine } from "node:util";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { BEARER_TOKEN, isLoopbackHost, parseUrl } from "../src/config";
import { displayId, displayText } from "../src/display";
import { safeCause } from "../src/log";

const USAGE = "usage: OPERATOR_TOKEN=… npm run trigger -- --url https://worker.example.workers.dev [--dry-run] [--force]";

const entityCounts = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  deactivated: z.number(),
  reactivated: z.number(),
});
const countsSchema = z.object({ classes: entityCounts, subjects: entityCounts, users: entityCounts, enrollments: entityCounts });
const warning = z.object({ code: z.string(), message: z.string(), externalId: z.string().optional() });

const okSchema = z.object({
  success: z.literal(true),
  runId: z.string(),
  status: z.enum(["ok", "dry_run"]),
  durationMs: z.number(),
  counts: countsSchema,
  warnings: z.array(warning),
  /** Every warning, by code (the answer keeps at most 200 in full); absent from older Workers. */
  warningCount: z.number().optional(),
  warningCounts: z.record(z.string(), z.number()).optional(),
  wouldHold: z.boolean().optional(),
  holdReasons: z.array(z.object({ type: z.string(), kind: z.string(), count: z.number(), activeBefore: z.number() })).optional(),
  requestId: z.string(),
});
const errorSchema = z.object({
  success: z.literal(false),
  code: z.string(),
  message: z.string(),
  runId: z.string().optional(),
  runningRunId: z.string().optional(),
  counts: countsSchema.optional(),
  holdReasons: z.array(z.object({ type: z.string(), kind: z.string(), count: z.number(), activeBefore: z.number() })).optional(),
  errors: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
  requestId: z.string().nullable().optional(),
});

export type TriggerArgs = { url: string; dryRun: boolean; force: boolean };

const OPTIONS = { url: { type: "string" }, "dry-run": { type: "boolean" }, force: { type: "boolean" } } as const;

/** The arguments, or what is wrong with them. */
export function parseArgs(argv: string[]): TriggerArgs | string {
  // Not strict, so that every wrong argument gets a message of ours rather than a stack trace.
  const { values, tokens } = parseCommandLine({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === "option" && t.name === "token") return "the token is read from OPERATOR_TOKEN, never from a flag";
    if (t.kind === "positional") return `unknown argument ${t.value}`;
    if (t.kind === "option" && !Object.hasOwn(OPTIONS, t.name)) return `unknown argument ${t.rawName}`;
    if (t.kind === "option" && t.name !== "url" && t.value !== undefined) return `${t.rawName} takes no value`;
  }
  const { url, "dry-run": dryRun, force } = values;
  if (typeof url !== "string" || url === "") return "--url is required";
  const parsed = parseUrl(url);
  if (!parsed || !/^https?:$/.test(parsed.protocol)) return "--url must be an http(s) URL";
  if (parsed.protocol === "http:" && !isLoopbackHost(parsed.hostname)) return "--url must use https (the token must not travel in clear)";
  // Checked on the text too: "https://@host" and "https://host/?" parse to nothing, yet say something else.
  if (parsed.username || parsed.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url)) {
    return "--url must not carry a user name or password (the token is read from OPERATOR_TOKEN, and a password in a URL ends up in shell history and logs)";
  }
  if (url.includes("?") || url.includes("#"))
    return "--url must not carry a query or a fragment: give the Worker's base URL, such as https://worker.example.workers.dev";
  return { url: `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, ""), dryRun: dryRun === true, force: force === true };
}

/** Why a token cannot be sent as a Bearer token (RFC 6750 b64token), or null when it can. Never quotes the token. */
export function tokenProblem(token: string): string | null {
  if (token.length > 512) return "OPERATOR_TOKEN is longer than 512 characters";
  if (!BEARER_TOKEN.test(token)) {
    return "OPERATOR_TOKEN holds characters a Bearer token cannot (only letters, digits and - . _ ~ + /, then = at the end); check for a stray space, newline or quote";
  }
  return null;
}

function table(counts: z.infer<typeof countsSchema>): string[] {
  const lines = ["type          created  updated  unchanged  deactivated  reactivated"];
  for (const [type, c] of Object.entries(counts)) {
    lines.push(
      `${type.padEnd(12)}${String(c.created).padStart(9)}${String(c.updated).padStart(9)}${String(c.unchanged).padStart(11)}${String(c.deactivated).padStart(13)}${String(c.reactivated).padStart(13)}`,
    );
  }
  return lines;
}

export async function trigger(
  args: TriggerArgs,
  token: string,
  out: (line: string) => void,
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  const problem = tokenProblem(token);
  if (problem) {
    out(`trigger: ${problem}`);
    return 2;
  }
  let res: Response;
  try {
    res = await fetchImpl(`${args.url}/api/sync/bakalari`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(args.dryRun ? { dryRun: true } : args.force ? { force: true } : {}),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    // The cause only ("timeout", "TypeError ECONNREFUSED"): a fetch error's message can quote the request.
    out(`trigger: could not reach ${displayText(args.url)} (${safeCause(error)})`);
    return 1;
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    out(`trigger: ${res.status} with a body that is not JSON`);
    return 1;
  }
  const unexpected = () => {
    out(`trigger: ${res.status} with an answer of an unexpected shape`);
    return 1;
  };
  if (res.ok) {
    const ok = okSchema.safeParse(json);
    if (!ok.success) return unexpected();
    const b = ok.data;
    out(
      `${b.status === "dry_run" ? "dry run" : "sync ok"}: run ${displayId(b.runId)} in ${b.durationMs} ms (request ${displayId(b.requestId)})`,
    );
    for (const line of table(b.counts)) out(`  ${line}`);
    if (b.wouldHold)
      out(
        `  would be held: ${(b.holdReasons ?? []).map((r) => `${displayText(r.kind)} ${r.count} of ${r.activeBefore} ${displayText(r.type)}`).join("; ")}`,
      );
    printWarnings(b, out);
    return 0;
  }
  const err = errorSchema.safeParse(json);
  if (!err.success) return unexpected();
  const e = err.data;
  out(
    `trigger: ${res.status} ${displayText(e.code)}: ${displayText(e.message)}${e.requestId ? ` (request ${displayId(e.requestId)})` : ""}`,
  );
  if (e.runId) out(`  run ${displayId(e.runId)}`);
  if (e.runningRunId) out(`  running: run ${displayId(e.runningRunId)}`);
  if (e.counts) for (const line of table(e.counts)) out(`  ${line}`);
  for (const r of e.holdReasons ?? []) out(`  hold: ${displayText(r.kind)} ${r.count} of ${r.activeBefore} active ${displayText(r.type)}`);
  for (const x of e.errors ?? []) out(`  error ${displayText(x.code)}: ${displayText(x.message)}`);
  if (res.status === 422) {
    out("  review the counts, then repeat with --force to apply");
    return 3;
  }
  if (res.status === 409) return 4;
  if (res.status === 401 || res.status === 429) return 5;
  return 1;
}

/** At most this many warnings are printed; the counts by code cover every one. */
const WARNINGS_PRINTED = 20;

function printWarnings(b: z.infer<typeof okSchema>, out: (line: string) => void): void {
  const total = b.warningCount ?? b.warnings.length;
  if (total === 0) return;
  const counts =
    b.warningCounts ??
    Object.fromEntries([...new Set(b.warnings.map((w) => w.code))].map((c) => [c, b.warnings.filter((w) => w.code === c).length]));
  out(
    `  ${total} warning${total === 1 ? "" : "s"}: ${Object.entries(counts)
      .map(([code, n]) => `${displayText(code)} ${n}`)
      .join(", ")}`,
  );
  for (const w of b.warnings.slice(0, WARNINGS_PRINTED)) {
    out(
      `  warning ${displayText(w.code)}: ${displayText(w.message)}${w.externalId !== undefined ? ` (id ${displayId(w.externalId)})` : ""}`,
    );
  }
  const left = total - Math.min(b.warnings.length, WARNINGS_PRINTED);
  if (left > 0) out(`  … and ${left} more (GET /api/sync/runs/${displayId(b.runId)} keeps up to 200)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === "string") {
    console.error(`trigger: ${args}\n${USAGE}`);
    process.exit(2);
  }
  const token = process.env.OPERATOR_TOKEN;
  if (!token) {
    console.error(`trigger: OPERATOR_TOKEN is not set\n${USAGE}`);
    process.exit(2);
  }
  process.exit(await trigger(args, token, (line) => console.log(line)));
}
