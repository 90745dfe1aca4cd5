/**
 * The one place that knows the SQL of a batch write. Each column travels as ONE
 * array parameter and Postgres unnests them, so a statement carries thousands of
 * rows with a handful of bind parameters (far below the 65,535 limit). Rows are
 * still chunked so that no single message grows without bound, and each column is
 * sent as an array literal made here in one pass (arrayLiteral), not by the driver.
 *
 * Table and column names come from constants in this codebase, never from input;
 * every value is a bound parameter.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Tx } from "./client";

export const BATCH_ROWS = 20_000;

export type PgArrayType = "uuid" | "text" | "boolean";
export type Column = { name: string; type: PgArrayType; values: readonly unknown[] };

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`batch: bad identifier ${name}`);
  return sql.raw(`"${name}"`);
};

/** The columns a chunk of rows at a time, each sliced when its statement is made. */
function* chunks(columns: Column[]): Generator<Column[]> {
  const rows = columns[0]?.values.length ?? 0;
  for (const c of columns) if (c.values.length !== rows) throw new Error("batch: columns of different lengths");
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    yield rows <= BATCH_ROWS ? columns : columns.map((c) => ({ ...c, values: c.values.slice(start, start + BATCH_ROWS) }));
  }
}

/**
 * A column's values as one Postgres array literal (`{"a","b",null}`), made by JSON.stringify
 * in one native pass. The driver would build the same text by appending value after value,
 * a tree of about four cons strings per value: some 10 MB of heap for a chunk of 20,000 rows
 * of four columns, held until the message is written. JSON and an array literal quote alike
 * ("…", \" and \\, and an unquoted null is NULL) except for control characters and lone
 * surrogates, which JSON writes as \n, \t, \u0001…: values holding any of those (or a
 * backslash before one of those letters) go the driver's way, as an array.
 */
export function arrayLiteral(values: readonly unknown[]): string | readonly unknown[] {
  const json = JSON.stringify(values);
  if (/\\[bfnrtu]/.test(json)) return values;
  return `{${json.slice(1, -1)}}`;
}

const unnest = (columns: Column[]): SQL =>
  sql`unnest(${sql.join(
    columns.map((c) => sql`${sql.param(arrayLiteral(c.values))}::${sql.raw(c.type)}[]`),
    sql`, `,
  )}) as v(${sql.join(
    columns.map((c) => ident(c.name)),
    sql`, `,
  )})`;

/** INSERT INTO table (columns) SELECT * FROM unnest(arrays): one statement per chunk. */
export async function batchInsert(tx: Tx, table: string, columns: Column[]): Promise<number> {
  let written = 0;
  for (const chunk of chunks(columns)) {
    if (chunk[0]!.values.length === 0) continue;
    const names = sql.join(
      chunk.map((c) => ident(c.name)),
      sql`, `,
    );
    const result = await tx.execute(sql`insert into ${ident(table)} (${names}) select ${names} from ${unnest(chunk)}`);
    written += result.rowCount ?? 0;
  }
  return written;
}

/**
 * UPDATE table SET set-clause FROM unnest(arrays) WHERE the key columns match.
 * `set` may use v.<column> for the new values.
 */
export async function batchUpdate(tx: Tx, table: string, keys: string[], columns: Column[], set: SQL): Promise<number> {
  let written = 0;
  for (const chunk of chunks(columns)) {
    if (chunk[0]!.values.length === 0) continue;
    const match = sql.join(
      keys.map((k) => sql`t.${ident(k)} = v.${ident(k)}`),
      sql` and `,
    );
    const result = await tx.execute(sql`update ${ident(table)} as t set ${set} from ${unnest(chunk)} where ${match}`);
    written += result.rowCount ?? 0;
  }
  return written;
}
