import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

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
            },
          })),
        ],
        test: {
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
