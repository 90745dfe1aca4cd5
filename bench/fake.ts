/** The fake Bakaláři school as a child process of a measurement, so that its work is not the measured process's. */
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { SchoolSize } from "../dev/fake-bakalari/control";
import { stopChild } from "../dev/postgres";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

export type Fake = { url: string; username: string; password: string; school: string; stop(): Promise<void> };

/** Starts the fake school's CLI as a child and reads its URL and credentials from what it prints. */
export async function startFake(size: SchoolSize): Promise<Fake> {
  const child = spawn(process.execPath, ["--import", "tsx", "dev/fake-bakalari/cli.ts", "--size", size, "--port", "0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const found: Record<string, string> = {};
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the fake school exited (code ${code})`)));
    lines.on("line", (line) => {
      const m = /^\s*(BAKALARI_\w+)=(.*)$/.exec(line);
      if (m) found[m[1]!] = m[2]!;
      else if (/ enrollments$/.test(line)) {
        found.school = line.trim();
        resolve();
      }
    });
  });
  child.removeAllListeners("exit");
  return {
    url: found.BAKALARI_URL!,
    username: found.BAKALARI_USERNAME!,
    password: found.BAKALARI_PASSWORD!,
    school: found.school!,
    stop: () => stopChild(child, "SIGTERM"),
  };
}
