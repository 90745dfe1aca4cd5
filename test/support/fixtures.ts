/**
 * What a workers test needs, by name (vitest fixtures), on a database of its own:
 * - `databaseUrl`: a fresh copy of the migrated template (database.ts);
 * - `db`: a handle on it, through the project's driver, ended when its scope ends;
 * - `env`: the Worker's bindings pointed at it (testBindings: DATABASE_URL, or a HYPERDRIVE
 *   binding in the workers-hyperdrive project), with `bindings` over the configured ones;
 * - `engine`: the real engine on it with the same bindings, and a log of its own each test;
 * - `bindings`: what a file sets over the configured bindings (none unless it extends this).
 *
 * `test` gives the whole file one database (hooks such as `test.beforeAll` can take it too);
 * `freshTest` gives each test its own.
 */
import { test as base } from "vitest";
import type { Bindings } from "../../src/config";
import type { Database } from "../../src/db/client";
import { connect, createTestDatabase } from "./database";
import { engine } from "./sync";
import { testBindings } from "./worker";

const NO_OVERRIDES: Partial<Bindings> = {};

const open = (databaseUrl: string, onCleanup: (cleanup: () => Promise<void>) => void): Database => {
  const database = connect(databaseUrl);
  onCleanup(() => database.end());
  return database;
};

export const test = base
  .extend("bindings", { scope: "file" }, NO_OVERRIDES)
  .extend("databaseUrl", { scope: "file" }, () => createTestDatabase())
  .extend("db", { scope: "file" }, ({ databaseUrl }, { onCleanup }) => open(databaseUrl, onCleanup))
  .extend("env", { scope: "file" }, ({ databaseUrl, bindings }) => testBindings({ DATABASE_URL: databaseUrl, ...bindings }))
  .extend("engine", ({ databaseUrl, bindings }) => engine(databaseUrl, bindings));

export const freshTest = base
  .extend("bindings", NO_OVERRIDES)
  .extend("databaseUrl", () => createTestDatabase())
  .extend("db", ({ databaseUrl }, { onCleanup }) => open(databaseUrl, onCleanup))
  .extend("env", ({ databaseUrl, bindings }) => testBindings({ DATABASE_URL: databaseUrl, ...bindings }))
  .extend("engine", ({ databaseUrl, bindings }) => engine(databaseUrl, bindings));
