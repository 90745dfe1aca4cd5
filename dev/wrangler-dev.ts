/**
 * The Worker served by `wrangler dev`: for `npm start`, and for Node-side tests and
 * measurements (browser, load, cancellation) that need the same runtime and HTTP stack.
 *
 * It runs as a process group of its own, so that stopping it, or killing it outright to
 * cut an invocation off mid-run, reaches workerd too: signalling wrangler alone would
 * leave workerd running.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./postgres";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

export type DevWorker = {
  url: string;
  /** The DevTools protocol's port (wrangler's inspector proxy): /json/list names the Worker's target. */
  inspectorPort: number;
  /** SIGTERM to the group, then SIGKILL to whatever ignored it. */
  stop(): Promise<void>;
  /** SIGKILL to wrangler and everything it started: an invocation cut off mid-run. */
  kill(): Promise<void>;
  /** Whether any process of its group (wrangler, workerd, esbuild) is still alive. */
  alive(): boolean;
  /** The last few kilobytes wrangler printed, for a failing test's message. */
  output(): string;
  /** Resolves when wrangler has exited, however it came to. */
  exited: Promise<void>;
};

export type WorkerOptions = {
  /** The Worker's bindings; written to an env file only we may read, since they hold secrets. */
  vars: Record<string, string>;
  /** A free loopback port when not given. */
  port?: number;
  /**
   * Keeps local state (the Cache API, rate limits) here; a folder of its own otherwise, so
   * that several Workers never share it.
   */
  persistTo?: string;
  /** wrangler's --log-level; "log" shows the Worker's own console.log lines (the sync_* events). */
  logLevel?: "info" | "log" | "warn";
  /** Every chunk wrangler prints, as it prints it. */
  echo?: (stream: "stdout" | "stderr", text: string) => void;
};

/** Starts `wrangler dev --test-scheduled` on a loopback port and resolves once it says it is ready. */
export async function startWorker(options: WorkerOptions): Promise<DevWorker> {
  const dir = mkdtempSync(path.join(tmpdir(), "bakalari-wrangler-"));
  const envFile = path.join(dir, "worker.env");
  const lines = Object.entries(options.vars).map(([name, value]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
    return `${name}=${JSON.stringify(value)}`;
  });
  writeFileSync(envFile, `${lines.join("\n")}\n`, { mode: 0o600 });

  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const args = ["dev", "--test-scheduled", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)];
  args.push("--env-file", envFile, "--show-interactive-dev-session=false", "--persist-to", options.persistTo ?? path.join(dir, "state"));
  if (options.logLevel) args.push("--log-level", options.logLevel);
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "wrangler"), args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" },
  });

  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal); // the group we started, by its id
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    signalGroup("SIGTERM");
    await exited;
    signalGroup("SIGKILL"); // a child that ignored SIGTERM must not outlive its caller
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const ready = `Ready on http://127.0.0.1:${port}`;
      const onData = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
        const text = chunk.toString();
        options.echo?.(stream, text);
        output = (output + text).slice(-8000);
        if (output.includes(ready)) resolve();
      };
      child.stdout.on("data", onData("stdout"));
      child.stderr.on("data", onData("stderr"));
      child.once("error", reject);
      child.once("exit", (code, signal) => reject(new Error(`wrangler dev exited (${signal ?? code}) before it was ready:\n${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  // onData stays attached: it drains the pipes (a full pipe would block wrangler) and keeps the tail.
  return {
    url: `http://127.0.0.1:${port}`,
    inspectorPort,
    stop,
    kill: async () => {
      signalGroup("SIGKILL");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    alive: () => {
      try {
        process.kill(-child.pid!, 0);
        return true;
      } catch {
        return false;
      }
    },
    output: () => output,
    exited,
  };
}
