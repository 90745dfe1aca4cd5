import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { builtinModules } from "node:module";
import { defineConfig } from "vitest/config";

/**
 * A URL for miniflare's Hyperdrive binding, which insists on a password: the test cluster
 * trusts loopback connections and never asks for it.
 */
const withPassword = (url: string) => Object.assign(new URL(url), { password: "unused" }).toString();

/**
 * Two projects:
 * - `workers`: tests that run inside workerd (the Worker, the sync, the Neon driver),
 *   with the real Postgres, proxy and fake Bakaláři that test/global-setup.ts starts.
 * - `node`: tests of the Node-side tools (proxy, fake Bakaláři, provisioning, CLIs).
 */
export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: "./src/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                DATABASE_URL: inject("defaultDatabaseUrl"),
                NEON_WS_PROXY: inject("wsProxy"),
                BAKALARI_URL: inject("fakeBakalariUrl"),
                BAKALARI_USERNAME: "sync-service",
                BAKALARI_PASSWORD: "test-password",
                OPERATOR_TOKEN: "test-operator-token-0123456789abcdef",
                // The public timetable has tests of its own (test/sync/account-scope.test.ts); the rest read the account's views.
                BAKALARI_PUBLIC_TIMETABLE: "off",
              },
              // The Hyperdrive path, as miniflare simulates it (test/sync/engine.hyperdrive.test.ts);
              // tests point it at their own database (test/support/hyperdrive.ts).
              hyperdrives: { HYPERDRIVE: withPassword(inject("defaultDatabaseUrl")) },
            },
          })),
        ],
        test: {
          // node-postgres (the Hyperdrive path) is CommonJS that requires pg-protocol, which the pool
          // would resolve to its ES build (workers-sdk#12984): pre-bundle it, leaving Node's and
          // workerd's built-in modules to workerd.
          deps: {
            optimizer: {
              ssr: { enabled: true, include: ["pg"], rolldownOptions: { external: [...builtinModules, /^node:/, /^cloudflare:/] } },
            },
          },
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/**/*.node.test.ts"],
          // The fake Bakaláři school is one server with one state: files take turns with it.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
          include: ["test/**/*.node.test.ts"],
        },
      },
    ],
  },
});
