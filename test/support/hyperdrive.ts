/**
 * The Hyperdrive path in tests: miniflare's HYPERDRIVE binding (vitest.config.ts), pointed at
 * a test's own database. The binding's connection string names a host that exists only for
 * this Worker instance and routes to the cluster through miniflare's Hyperdrive proxy, so the
 * same host with another database name reaches that database through it.
 */
import { env } from "cloudflare:workers";

/** The HYPERDRIVE binding of the tests' Worker, as miniflare simulates it. */
function miniflareHyperdrive(): Hyperdrive {
  // Not in the generated Env: wrangler.toml has no [[hyperdrive]] (it is optional; README).
  const binding = (env as Env & { HYPERDRIVE?: Hyperdrive }).HYPERDRIVE;
  if (!binding) throw new Error("no HYPERDRIVE binding: vitest.config.ts sets one (miniflare.hyperdrives)");
  return binding;
}

/** A Hyperdrive binding like miniflare's, whose connection reaches databaseUrl's database. */
export function hyperdriveFor(databaseUrl: string): Hyperdrive {
  const binding = miniflareHyperdrive();
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const url = new URL(binding.connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return {
    connectionString: url.toString(),
    database,
    host: binding.host,
    port: binding.port,
    user: binding.user,
    password: binding.password,
    connect: () => binding.connect(),
  };
}
