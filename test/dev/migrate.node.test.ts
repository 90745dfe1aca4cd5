import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { withNodeDatabase } from "../../cli/node-database";

const ROOT = path.join(import.meta.dirname, "..", "..");

describe("npm run db:migrate", () => {
  let url: string;
  beforeAll(async () => {
    const name = `mig_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await withNodeDatabase(inject("adminDatabaseUrl"), (db) => db.execute(sql.raw(`create database ${name}`)), inject("wsProxy"));
    url = inject("adminDatabaseUrl").replace(/\/[^/]+$/, `/${name}`);
  });

  const migrate = () =>
    spawnSync("npm", ["run", "-s", "db:migrate"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: url, NEON_WS_PROXY: "" },
    });

  it("applies the migrations to an empty database, and a second run is harmless", async () => {
    const first = migrate();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("migrations are up to date");
    const tables = await withNodeDatabase(url, async (db) =>
      (await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`)).rows.map(
        (r) => (r as { table_name: string }).table_name,
      ),
    );
    expect(tables).toEqual([
      "bakalari_public_timetables",
      "bakalari_rosters",
      "bakalari_sessions",
      "classes",
      "enrollments",
      "external_refs",
      "operator_tokens",
      "subjects",
      "sync_runs",
      "users",
    ]);

    const second = migrate();
    expect(second.status).toBe(0);
    const applied = await withNodeDatabase(
      url,
      async (db) => (await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)).rows[0],
    );
    // One row per migration in drizzle/, each applied once.
    const migrations = readdirSync(new URL("../../drizzle/", import.meta.url)).filter((f) => f.endsWith(".sql")).length;
    expect(applied).toEqual({ n: migrations });
  }, 60_000);

  it("refuses a missing DATABASE_URL with a message naming it", () => {
    const res = spawnSync("npm", ["run", "-s", "db:migrate"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, DATABASE_URL: "" } });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("DATABASE_URL");
  });
});
