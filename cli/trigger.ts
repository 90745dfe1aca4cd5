/**
 * `npm run trigger -- --url https://… [--dry-run] [--force]`: asks a deployed (or local)
 * Worker for a sync, checks the answer's shape, and prints a readable summary.
 * The token comes from OPERATOR_TOKEN, never from a flag (flags end up in shell history).
 *
 * Exit codes: 0 ok or dry run; 1 the run failed or the answer was not understood;
 * 2 usage or configuration; 3 held for review (SAFETY_HOLD); 4 another run in progress;
 * 5 refused (401 or 429).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { isLoopbackHost, parseUrl } from "../src/config";

const USAGE = "usage: OPERATOR_TOKEN=… npm run trigger -- --url https://worker.example.workers.dev [--dry-run] [--force]";

const entityCounts = z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), deactivated: z.number(), reactivated: z.number() });
const countsSchema = z.object({ classes: entityCounts, subjects: entityCounts, users: entityCounts, enrollments: entityCounts });
const warning = z.object({ code: z.string(), message: z.string() });

const okSchema = z.object({
  success: z.literal(true),
  runId: z.string(),
  status: z.enum(["ok", "dry_run"]),
  durationMs: z.number(),
  counts: countsSchema,
  warnings: z.array(warning),
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

export function parseArgs(argv: string[]): TriggerArgs | string {
  let url: string | undefined;
  let dryRun = false;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--url") url = argv[++i];
    else if (arg.startsWith("--url=")) url = arg.slice(6);
    else if (arg === "--dry-run") dryRun = true;
    else if (arg === "--force") force = true;
    else if (arg === "--token" || arg.startsWith("--token=")) return "the token is read from OPERATOR_TOKEN, never from a flag";
    else return `unknown argument ${arg}`;
  }
  if (!url) return "--url is required";
  const parsed = parseUrl(url);
  if (!parsed || !/^https?:$/.test(parsed.protocol)) return "--url must be an http(s) URL";
  if (parsed.protocol === "http:" && !isLoopbackHost(parsed.hostname)) return "--url must use https (the token must not travel in clear)";
  return { url: url.replace(/\/+$/, ""), dryRun, force };
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

export async function trigger(args: TriggerArgs, token: string, out: (line: string) => void, fetchImpl: typeof fetch = fetch): Promise<number> {
  let res: Response;
  try {
    res = await fetchImpl(`${args.url}/api/sync/bakalari`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(args.dryRun ? { dryRun: true } : args.force ? { force: true } : {}),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    out(`trigger: could not reach ${args.url}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    out(`trigger: ${res.status} with a body that is not JSON`);
    return 1;
  }
  if (res.ok) {
    const ok = okSchema.safeParse(json);
    if (!ok.success) {
      out(`trigger: ${res.status} with an answer of an unexpected shape`);
      return 1;
    }
    const b = ok.data;
    out(`${b.status === "dry_run" ? "dry run" : "sync ok"}: run ${b.runId} in ${b.durationMs} ms (request ${b.requestId})`);
    for (const line of table(b.counts)) out(`  ${line}`);
    if (b.wouldHold) out(`  would be held: ${(b.holdReasons ?? []).map((r) => `${r.kind} ${r.count} of ${r.activeBefore} ${r.type}`).join("; ")}`);
    for (const w of b.warnings) out(`  warning ${w.code}: ${w.message}`);
    return 0;
  }
  const err = errorSchema.safeParse(json);
  if (!err.success) {
    out(`trigger: ${res.status} with an answer of an unexpected shape`);
    return 1;
  }
  const e = err.data;
  out(`trigger: ${res.status} ${e.code}: ${e.message}${e.requestId ? ` (request ${e.requestId})` : ""}`);
  if (e.runId) out(`  run ${e.runId}`);
  if (e.counts) for (const line of table(e.counts)) out(`  ${line}`);
  for (const r of e.holdReasons ?? []) out(`  hold: ${r.kind} ${r.count} of ${r.activeBefore} active ${r.type}`);
  for (const x of e.errors ?? []) out(`  error ${x.code}: ${x.message}`);
  if (res.status === 422) {
    out("  review the counts, then repeat with --force to apply");
    return 3;
  }
  if (res.status === 409) return 4;
  if (res.status === 401 || res.status === 429) return 5;
  return 1;
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
