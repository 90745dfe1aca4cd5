/**
 * npm run fake-bakalari -- [--size small|medium|large] [--port 8788] [--seed 42]
 *   [--classes N] [--students-per-class N] [--teachers N] [--subjects N]
 *   [--username U] [--password P] [--host 127.0.0.1]
 *
 * Serves the fake school until SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import { DEFAULT_PASSWORD, DEFAULT_USERNAME } from "./auth";
import { fakeControl } from "./control";
import { startFakeBakalari, type FakeBakalariOptions } from "./server";

const DEFAULT_PORT = 8788;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, not ${JSON.stringify(value)}`);
  return n;
}

function parseOptions(argv: string[]): FakeBakalariOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      size: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      classes: { type: "string" },
      "students-per-class": { type: "string" },
      teachers: { type: "string" },
      subjects: { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
    },
  });
  const size = values.size;
  if (size !== undefined && size !== "small" && size !== "medium" && size !== "large") {
    throw new Error(`--size must be small, medium or large, not ${JSON.stringify(size)}`);
  }
  const options: FakeBakalariOptions = {
    port: integer("port", values.port) ?? DEFAULT_PORT,
    host: values.host,
    size,
    seed: integer("seed", values.seed),
    classes: integer("classes", values.classes),
    studentsPerClass: integer("students-per-class", values["students-per-class"]),
    teachers: integer("teachers", values.teachers),
    subjects: integer("subjects", values.subjects),
    username: values.username,
    password: values.password,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as FakeBakalariOptions;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const fake = await startFakeBakalari(options);
  // The reset answer carries the counts; resetting a fresh school changes nothing.
  const school = await fakeControl(fake.url).reset({});
  const { counts, params } = school;
  console.log(`Fake Bakaláři (${options.size ?? "small"}, seed ${params.seed}) at ${fake.url}`);
  console.log(`  BAKALARI_URL=${fake.url}`);
  console.log(`  BAKALARI_USERNAME=${options.username ?? DEFAULT_USERNAME}`);
  console.log(`  BAKALARI_PASSWORD=${options.password ?? DEFAULT_PASSWORD}`);
  console.log(
    `  ${counts.classes} classes, ${counts.students} students, ${counts.teachers} teachers, ${counts.subjects} subjects, ` +
      `${counts.studentEnrollments + counts.teachingAssignments} enrollments`,
  );
  console.log("  control API under /_fake/ (see dev/fake-bakalari/README.md); Ctrl+C stops");

  const stop = (signal: string) => {
    console.log(`\n${signal}: stopping`);
    fake.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`fake-bakalari: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
