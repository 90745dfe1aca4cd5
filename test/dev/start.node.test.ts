/**
 * `npm start` end to end: the embedded PGlite, the proxy, the migrations, the fake
 * school and `wrangler dev`; one sync at start; then Ctrl-C leaves nothing listening.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../dev/postgres";

const ROOT = path.join(import.meta.dirname, "..", "..");

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("npm start", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bakalari-start-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("serves the Worker with one sync done, and stops everything on Ctrl-C", async () => {
    const port = await freePort();
    const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), DEV_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    delete env.BAKALARI_URL;
    delete env.OPERATOR_TOKEN;
    const child = spawn(process.execPath, ["--import", "tsx", "dev/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        output += c.toString();
        if (output.includes("Ctrl-C stops")) resolve();
      });
      child.once("exit", () => reject(new Error(`npm start exited early:\n${output}`)));
    });

    expect(output).toMatch(/\[start\] sync ok in \d+ ms/);
    // The Worker's own log events (its console.log lines) are shown, not hidden by the log level.
    await new Promise<void>((resolve) => {
      const seen = () => output.includes("sync_ok") && resolve();
      seen();
      child.stdout.on("data", seen);
      child.stderr.on("data", seen);
    });
    expect(output).toMatch(/\[wrangler\].*sync_start/);
    expect(output).toMatch(/classes +created 8/);
    const ports = [...output.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    expect(ports).toContain(port);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", lastRunStatus: "ok" });
    const token = /dev operator token: (\S+)/.exec(output)![1]!;
    const runs = await fetch(`http://127.0.0.1:${port}/api/sync/runs`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await runs.json()) as { runs: unknown[] }).runs).toHaveLength(1);

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    for (const p of new Set(ports)) expect(await listening(p)).toBe(false);
  }, 120_000);
});
