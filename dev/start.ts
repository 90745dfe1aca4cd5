/**
 * `npm start`: the whole Worker locally, against embedded defaults, with one sync.
 *
 *   1. the database: DATABASE_URL when set, else PGlite with its data in .data/pglite
 *   2. the WebSocket-to-TCP proxy the Neon driver needs locally
 *   3. the migrations
 *   4. the fake Bakaláři school (unless BAKALARI_URL is set)
 *   5. `wrangler dev --test-scheduled` on http://127.0.0.1:8787 (PORT changes it)
 *   6. one sync through the API, whose summary it prints; then it keeps serving.
 *
 * Ctrl-C (or SIGTERM) stops everything it started.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeBakalari, type FakeBakalari } from "./fake-bakalari/server";
import { migrateDatabase } from "../cli/migrate";
import { startPglite, type LocalDatabase } from "./postgres";
import { startWorker, type DevWorker } from "./wrangler-dev";
import { startWsProxy, type WsProxy } from "./ws-proxy";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Local state (PGlite's data, the dev token and key); DEV_DATA_DIR moves it (tests use a temp dir). */
const DATA = process.env.DEV_DATA_DIR ?? path.join(ROOT, ".data");

type Stoppable = { name: string; stop(): Promise<void> };
const started: Stoppable[] = [];
let stopping: Promise<void> | null = null;

function say(line: string) {
  process.stdout.write(`[start] ${line}\n`);
}

/** A value kept in .data/ between runs (the dev token key, the dev operator token). */
function persistent(name: string, make: () => string): string {
  const file = path.join(DATA, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

async function stopAll(code: number): Promise<void> {
  stopping ??= (async () => {
    say("stopping…");
    for (const s of started.reverse()) {
      try {
        await s.stop();
      } catch (error) {
        say(`could not stop ${s.name}: ${(error as Error).message}`);
      }
    }
    process.exit(code);
  })();
  return stopping;
}

/** Prefixes each line of a chunk (a chunk may end mid-line; that is fine for a log). */
function prefixed(prefix: string, text: string): string {
  return text
    .split("\n")
    .map((line, i, lines) => (i === lines.length - 1 && line === "" ? "" : `${prefix}${line}`))
    .join("\n");
}

type SyncSummary = {
  success: boolean;
  status?: string;
  code?: string;
  message?: string;
  runId?: string;
  durationMs?: number;
  counts?: Record<string, Record<string, number>>;
  warnings?: { code: string }[];
  /** Every warning by code (the answer keeps at most 200 in full). */
  warningCounts?: Record<string, number>;
};

function printSummary(status: number, body: SyncSummary) {
  if (!body.success) {
    say(`sync answered ${status} ${body.code ?? ""}: ${body.message ?? ""}`);
    return;
  }
  say(`sync ${body.status} in ${body.durationMs} ms (run ${body.runId})`);
  for (const [type, c] of Object.entries(body.counts ?? {})) {
    say(
      `  ${type.padEnd(12)} created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, deactivated ${c.deactivated}, reactivated ${c.reactivated}`,
    );
  }
  let byCode = body.warningCounts;
  if (!byCode) {
    byCode = {};
    for (const w of body.warnings ?? []) byCode[w.code] = (byCode[w.code] ?? 0) + 1;
  }
  if (Object.keys(byCode).length)
    say(
      `  warnings: ${Object.entries(byCode)
        .map(([code, n]) => `${code} ${n}`)
        .join(", ")}`,
    );
}

async function main() {
  mkdirSync(DATA, { recursive: true });
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const db: LocalDatabase = await startPglite({ dataDir: path.join(DATA, "pglite") });
    started.push({ name: "PGlite", stop: db.stop });
    databaseUrl = db.url;
    say(`embedded database (PGlite, data in ${path.relative(ROOT, path.join(DATA, "pglite"))}) on ${db.url}`);
  }

  const proxy: WsProxy = await startWsProxy();
  started.push({ name: "proxy", stop: proxy.close });
  say(`WebSocket proxy on ${proxy.url}`);

  await migrateDatabase(databaseUrl, proxy.url);
  say("migrations applied");

  let bakalariUrl = process.env.BAKALARI_URL;
  let username = process.env.BAKALARI_USERNAME;
  let password = process.env.BAKALARI_PASSWORD;
  if (!bakalariUrl) {
    const size = (process.env.FAKE_BAKALARI_SIZE ?? "small") as "small" | "medium" | "large";
    const fake: FakeBakalari = await startFakeBakalari({ port: 0, size });
    started.push({ name: "fake Bakaláři", stop: fake.close });
    bakalariUrl = fake.url;
    username = "sync-service";
    password = "test-password";
    say(`fake Bakaláři school (${size}) on ${fake.url}`);
  }

  const port = Number(process.env.PORT ?? 8787);
  const operatorToken =
    process.env.OPERATOR_TOKEN ?? persistent("dev-operator-token", () => `dev-${randomBytes(24).toString("base64url")}`);
  const tokenKey = process.env.BAKALARI_TOKEN_KEY ?? persistent("dev-token-key", () => randomBytes(32).toString("base64"));
  const vars: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    NEON_WS_PROXY: proxy.url,
    BAKALARI_URL: bakalariUrl,
    BAKALARI_USERNAME: username ?? "",
    BAKALARI_PASSWORD: password ?? "",
    BAKALARI_TOKEN_KEY: tokenKey,
    OPERATOR_TOKEN: operatorToken,
    // Signs stored tokens: `npm run token -- create NAME` with this key makes one that works here.
    OPERATOR_TOKEN_KEY: process.env.OPERATOR_TOKEN_KEY ?? persistent("dev-operator-token-key", () => randomBytes(32).toString("base64")),
  };
  // "log", wrangler's default: the Worker's own console.log lines (the sync_* events) are
  // printed at that level, so "info" would hide exactly what a developer wants to see.
  const worker: DevWorker = await startWorker({
    vars,
    port,
    persistTo: path.join(DATA, "wrangler"),
    logLevel: "log",
    echo: (stream, text) => (stream === "stdout" ? process.stdout : process.stderr).write(prefixed("[wrangler] ", text)),
  });
  started.push({ name: "wrangler dev", stop: worker.stop });
  void worker.exited.then(() => {
    if (!stopping) {
      say("wrangler dev exited");
      void stopAll(1);
    }
  });

  const { url } = worker;
  say(`Worker on ${url}`);
  say(`dev operator token: ${operatorToken}`);
  const res = await fetch(`${url}/api/sync/bakalari`, { method: "POST", headers: { authorization: `Bearer ${operatorToken}` } });
  printSummary(res.status, (await res.json()) as SyncSummary);
  say(`serving ${url} (dashboard at /, health at /health, cron at /__scheduled); Ctrl-C stops`);
}

main().catch(async (error) => {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
