/**
 * The Worker served by `wrangler dev`, from Node-side tests (browser, load, cancellation):
 * the same runtime and HTTP stack a developer gets with `npm start`.
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
import { freePort } from "../../dev/postgres";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export type DevWorker = {
  url: string;
  /** SIGTERM to the group, then SIGKILL to whatever ignored it. */
  stop(): Promise<void>;
  /** SIGKILL to wrangler and everything it started: an invocation cut off mid-run. */
  kill(): Promise<void>;
  /** Whether any process of its group (wrangler, workerd, esbuild) is still alive. */
  alive(): boolean;
  /** The last few kilobytes wrangler printed, for a failing test's message. */
  output(): string;
};

/**
 * Starts `wrangler dev` on a free loopback port with `vars` as its bindings (they come
 * from an env file readable by us only, since they hold secrets) and resolves once it
 * prints that it is ready.
 */
export async function startWorker(options: { vars: Record<string, string> }): Promise<DevWorker> {
  const dir = mkdtempSync(path.join(tmpdir(), "bakalari-wrangler-"));
  const envFile = path.join(dir, "worker.env");
  const lines = Object.entries(options.vars).map(([name, value]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
    return `${name}=${JSON.stringify(value)}`;
  });
  writeFileSync(envFile, lines.join("\n") + "\n", { mode: 0o600 });

  const port = await freePort();
  const child = spawn(
    path.join(ROOT, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--env-file",
      envFile,
      "--show-interactive-dev-session=false",
      "--test-scheduled",
      // Local state of its own, so that several of these (and `npm start`) never share it.
      "--persist-to",
      path.join(dir, "state"),
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" },
    },
  );

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
    signalGroup("SIGKILL"); // a child that ignored SIGTERM must not outlive the test
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const ready = `Ready on http://127.0.0.1:${port}`;
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-8000);
        if (output.includes(ready)) resolve();
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
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
  };
}
