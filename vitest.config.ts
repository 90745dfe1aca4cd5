import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { builtinModules } from "node:module";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import type { Driver } from "./test/support/driver";
import "./test/support/hyperdrive-proxy-sockets.ts";
import { workerVars } from "./test/support/worker-vars.ts";

/**
 * A URL for miniflare's Hyperdrive binding, which insists on a password: the test cluster
 * trusts loopback connections and never asks for it.
 */
const withPassword = (url: string) => Object.assign(new URL(url), { password: "unused" }).toString();

/** Workers files that need no database, or test the drivers themselves: pure parsing, a page. */
const DRIVER_INDEPENDENT = [
  // HTMLRewriter parsing the public timetable (workerd's own API), no database.
  "test/bakalari/public-timetable.test.ts",
  // The dashboard page: no database (the file says so: "needs neither ... nor a database").
  "test/http/dashboard.test.ts",
  // Compares the two drivers with each other in one file (statement counts, the Worker with HYPERDRIVE only).
  "test/sync/engine.hyperdrive.test.ts",
];

/**
 * Workers files the Hyperdrive project leaves out: they drop connections at our
 * WebSocket-to-TCP proxy (dev/ws-proxy.ts), which only Neon's driver goes through;
 * miniflare's Hyperdrive proxy has no fault control.
 */
const NEON_PROXY_FAULTS = [
  // Connections dropped before, during and after the apply.
  "test/reliability/faults.database.test.ts",
  // A faulty day whose failed apply is a dropped connection.
  "test/reliability/logs.test.ts",
];

/**
 * A project of tests inside workerd, with the Worker's bindings (test/support/worker-vars.ts):
 * testBindings() (test/support/worker.ts) reads them back and points them at a test's own
 * database, through `driver`.
 */
const workers = (name: string, driver: Driver, exclude: string[]): TestProjectInlineConfiguration => ({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: "./src/index.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: workerVars({
          databaseUrl: inject("defaultDatabaseUrl"),
          wsProxy: inject("wsProxy"),
          bakalariUrl: inject("fakeBakalariUrl"),
        }),
        // The Hyperdrive path, as miniflare simulates it; test/support/hyperdrive.ts points it
        // at a test's own database. testBindings() hands it on only when `driver` is hyperdrive.
        hyperdrives: { HYPERDRIVE: withPassword(inject("defaultDatabaseUrl")) },
      },
    })),
  ],
  test: {
    name,
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.node.test.ts", "test/**/*.unit.test.ts", ...exclude],
    provide: { driver },
    // node-postgres (the Hyperdrive path) is CommonJS that requires pg-protocol, which the pool
    // would resolve to its ES build (workers-sdk#12984): pre-bundle it, leaving Node's and
    // workerd's built-in modules to workerd.
    deps: {
      optimizer: {
        ssr: { enabled: true, include: ["pg"], rolldownOptions: { external: [...builtinModules, /^node:/, /^cloudflare:/] } },
      },
    },
    // The fake Bakaláři school is one server with one state: files take turns with it, and so
    // do the two workers projects (vitest runs projects of one worker each one after the other).
    fileParallelism: false,
  },
});

/**
 * Four projects:
 * - `unit` (*.unit.test.ts): pure logic (planning, parsing, assembling, configuration) in Node:
 *   no database, no network, no workerd-only API.
 * - `workers`: the rest of test/**\/*.test.ts inside workerd (the Worker, the sync, the
 *   Bakaláři client), with the real Postgres, proxy and fake Bakaláři that
 *   test/global-setup.ts starts, through Neon's driver.
 * - `workers-hyperdrive`: the same files through Hyperdrive and node-postgres (issue 15),
 *   less the lists above.
 * - `node` (*.node.test.ts): the Node-side tools (proxy, fake Bakaláři, provisioning, CLIs,
 *   wrangler dev, the browser).
 */
export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["test/**/*.unit.test.ts"],
        },
      },
      workers("workers", "neon", []),
      workers("workers-hyperdrive", "hyperdrive", [...DRIVER_INDEPENDENT, ...NEON_PROXY_FAULTS]),
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
