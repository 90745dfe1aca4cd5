/**
 * Database provisioning for local runs and tests.
 *
 * - `startPostgresCluster()`: a throwaway real PostgreSQL cluster (initdb + postgres)
 *   in a temp folder, trusting loopback connections. Run as user `postgres` when we
 *   are root, because initdb refuses root.
 * - `startPglite()`: PGlite (Postgres compiled to WASM) behind pglite-socket, for
 *   machines without PostgreSQL binaries. Its data may be kept in a folder.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
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

/** Finds the PostgreSQL server binaries: PG_BIN, PATH, or Debian's /usr/lib/postgresql/<version>/bin. */
export function findPostgresBin(): string | null {
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
  // PATH may hold symlinks to single binaries; the real folder has createdb beside them.
  return found ? path.dirname(realpathSync(path.join(found, "initdb"))) : null;
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

function postgresUserIds(): { uid: number; gid: number } {
  const out = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (out.status !== 0 || gid.status !== 0) {
    throw new Error("running as root needs a 'postgres' system user to own the cluster (apt-get install postgresql creates it)");
  }
  return { uid: Number(out.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Starts a throwaway PostgreSQL cluster and creates the `bakalari` database. */
export async function startPostgresCluster(options: { port?: number; bin?: string } = {}): Promise<PostgresCluster> {
  const bin = options.bin ?? findPostgresBin();
  if (!bin) throw new Error("PostgreSQL server binaries not found (set PG_BIN or install postgresql)");
  const dir = mkdtempSync(path.join(tmpdir(), "bakalari-pg-"));
  const dataDir = path.join(dir, "data");
  mkdirSync(dataDir, { mode: 0o700 });
  // initdb refuses root: as root, the cluster belongs to (and runs as) user postgres.
  const owner: { uid?: number; gid?: number } = isRoot() ? postgresUserIds() : {};
  if (owner.uid !== undefined && owner.gid !== undefined) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(dataDir, owner.uid, owner.gid);
  }
  const initResult = spawnSync(
    path.join(bin, "initdb"),
    ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    { encoding: "utf8", cwd: dir, ...owner },
  );
  if (initResult.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${initResult.stderr || initResult.stdout}`);
  }
  const port = options.port ?? (await freePort());
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
    const server = spawn(path.join(bin, "postgres"), args, { stdio: ["ignore", "ignore", "pipe"], cwd: dir, ...owner });
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
  const created = spawnSync(path.join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", DATABASE_NAME], {
    encoding: "utf8",
  });
  if (created.status !== 0) {
    child.kill("SIGKILL");
    throw new Error(`createdb failed: ${created.error?.message ?? created.stderr}`);
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
