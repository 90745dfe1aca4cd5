import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes migrations offline from the schema; `npm run db:migrate`
// applies them (dev/migrate.ts). Against Neon, use its direct (non-pooled) connection string.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/bakalari" },
  strict: true,
});
