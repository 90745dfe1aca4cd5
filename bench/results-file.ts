/**
 * bench/results.json (not committed): `npm run bench` writes its figures there, and
 * `npm run bench:wrangler` its own under `wranglerDev`; each keeps what the other wrote.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "results.json");

function current(): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(FILE, "utf8")) as Record<string, unknown>;
  } catch {
    return {}; // no file yet, or not one of ours: nothing to keep
  }
}

function write(results: Record<string, unknown>): void {
  writeFileSync(FILE, `${JSON.stringify(results, null, 2)}\n`);
}

/** The bench's figures, with the last `wranglerDev` kept. */
export function writeBenchResults(results: Record<string, unknown>): void {
  const { wranglerDev } = current();
  write(wranglerDev === undefined ? results : { ...results, wranglerDev });
}

/** bench:wrangler's figures as `wranglerDev`, beside the bench's. */
export function writeWranglerResults(figures: unknown): void {
  write({ ...current(), wranglerDev: figures });
}
