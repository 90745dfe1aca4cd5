/**
 * GET /health from the edge cache (the Workers Cache API, one cache per Cloudflare location)
 * for at most 15 seconds, so that a burst of health checks costs at most one database round
 * trip per location per 15 s. A run's end forgets the cached answer where it can: in the
 * location that ran it (the others age out within 15 s).
 *
 * The Cache API does nothing on *.workers.dev (it works on a custom domain or route): there
 * every /health reads the database, as it did before.
 */
import type { Config } from "../config";
import { sha256, toHex } from "../digest";
import type { Health } from "./health";

export const HEALTH_CACHE_SECONDS = 15;

type DatabaseOf = Pick<Config, "databaseUrl" | "hyperdrive">;

/**
 * One entry per database, so that a Worker never answers with another database's health (a
 * rotated DATABASE_URL; the tests' many databases). Hyperdrive's connection string is made
 * up per Worker instance (its host and password), so its database name stands for it.
 */
async function cacheKey(config: DatabaseOf): Promise<Request> {
  const database = config.hyperdrive ? `hyperdrive:${config.hyperdrive.database}` : `url:${config.databaseUrl}`;
  return new Request(`https://health.bakalari-sync.internal/${toHex(await sha256(database)).slice(0, 32)}`);
}

/** The location's cache; null where there is none (Node). */
const edgeCache = (): Cache | null => (typeof caches === "undefined" ? null : caches.default);

/** The cached health of config's database, or `read()`'s, then cached for HEALTH_CACHE_SECONDS. */
export async function cachedHealth(config: DatabaseOf, read: () => Promise<Health>): Promise<Health> {
  const cache = edgeCache();
  if (!cache) return read();
  const key = await cacheKey(config);
  const hit = await cache.match(key).catch(() => undefined);
  if (hit) return (await hit.json()) as Health;
  const health = await read();
  // Awaited, not left to waitUntil: the next request in a burst must find it.
  await cache.put(key, Response.json(health, { headers: { "Cache-Control": `max-age=${HEALTH_CACHE_SECONDS}` } })).catch(() => undefined);
  return health;
}

/**
 * Forgets the cached health of config's database in this location, so that the next GET
 * /health reads the run that just ended. For the end of a run: the HTTP route and the cron
 * handler call it, and so may the engine. Never throws.
 */
export async function forgetHealth(config: DatabaseOf): Promise<void> {
  const cache = edgeCache();
  if (cache) await cache.delete(await cacheKey(config)).catch(() => false);
}
