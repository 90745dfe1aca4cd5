/** What the tests read with inject(): global setup provides the addresses, each project its driver (vitest.config.ts). */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** postgres://… of the cluster's maintenance database (CREATE DATABASE runs there). */
    adminDatabaseUrl: string;
    /** postgres://… of the migrated template every test database is copied from. */
    templateDatabaseUrl: string;
    /** postgres://… of a migrated database the Worker's default bindings point at. */
    defaultDatabaseUrl: string;
    templateDatabase: string;
    /** host:port of the WebSocket-to-TCP proxy. */
    wsProxy: string;
    /** http://127.0.0.1:port of the fake Bakaláři school. */
    fakeBakalariUrl: string;
    /** How the workers projects' Worker and test handles reach Postgres (test/support/driver.ts). */
    driver: "neon" | "hyperdrive";
  }
}
