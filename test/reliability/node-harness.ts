/**
 * Node-side steps of the reliability suite: the Worker's database driver from Node, the
 * database held against the fake's school, a bounded request burst with latency figures,
 * and a place to write the figures the README reports. (`wrangler dev` itself:
 * dev/wrangler-dev.ts.)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import { expect } from "vitest";
import { configureNodeDriver } from "../../cli/node-database";
import type { FakeControl } from "../../dev/fake-bakalari/control";
import type { Database } from "../../src/db/client";
import * as schema from "../../src/db/schema";
import { activeView, expectedView, refIntegrity } from "../support/inspect";
import { asRoster } from "../support/roster";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FIGURES_DIR = path.join(ROOT, "test-artifacts", "reliability");

/** The Worker's own driver from Node, as a Database the inspect helpers take. */
export function nodeDatabase(url: string, proxy: string): Database {
  configureNodeDriver(proxy);
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on("error", () => undefined);
  let ended: Promise<void> | null = null;
  return { db: drizzle(pool, { schema }), statements: () => 0, end: () => (ended ??= pool.end().catch(() => undefined)) };
}

/** The database holds exactly the fake's school: every active row, and refs whole (harness.ts's check, from Node). */
export async function expectConverged(db: Database, fake: FakeControl): Promise<void> {
  expect(await activeView(db)).toEqual(expectedView(asRoster(await fake.expected())));
  expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
}

export type Burst = {
  requests: number;
  concurrency: number;
  errors: string[];
  statuses: Record<number, number>;
  wallMs: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Sends `requests` requests with `concurrency` in flight, timing each from send to the
 * last byte of its body. `check` names what is wrong with an answer (null when right).
 */
export async function burst(
  requests: number,
  concurrency: number,
  send: (i: number) => Promise<Response>,
  check: (res: Response, body: string) => string | null,
): Promise<Burst> {
  const latencies: number[] = [];
  const errors: string[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const t0 = performance.now();
      try {
        const res = await send(i);
        const body = await res.text();
        latencies.push(performance.now() - t0);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const problem = check(res, body);
        if (problem) errors.push(`#${i}: ${problem}`);
      } catch (error) {
        errors.push(`#${i}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests,
    concurrency,
    errors,
    statuses,
    wallMs: Math.round(wallMs),
    perSecond: Math.round((requests / wallMs) * 1000),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? NaN),
      mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    },
  };
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

/** Writes the figures a test measured (test-artifacts/ is not committed). */
export function writeFigures(name: string, figures: unknown): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(path.join(FIGURES_DIR, `${name}.json`), JSON.stringify(figures, null, 2) + "\n");
}
