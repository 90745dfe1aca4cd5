/**
 * A headless Chromium for the browser tests, driven by playwright-core (which never
 * downloads one). In order:
 *
 * 1. CHROMIUM_PATH, when set;
 * 2. /usr/bin/chromium (Debian's package), when it is an executable file;
 * 3. the headless Chromium that the `@sparticuz/chromium` devDependency ships (brotli
 *    packed in node_modules; unpacked once into a folder of its own in the temp dir).
 *
 * Nothing is skipped: when no browser can be had, the launch fails with one line that
 * says how to get one.
 */
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";
const HOW_TO_GET_ONE =
  "no Chromium for the browser tests: run `npm install` (it brings @sparticuz/chromium), or install Debian's chromium (/usr/bin/chromium), or set CHROMIUM_PATH to a Chromium binary";

/** Launches headless Chromium with the given flags (besides the ones the chosen browser needs). */
export async function launchChromium(args: string[]): Promise<Browser> {
  const found = await findChromium();
  return chromium.launch({ executablePath: found.executablePath, headless: true, args: [...found.args, ...args], env: found.env });
}

type Found = { executablePath: string; args: string[]; env?: Record<string, string> };

async function findChromium(): Promise<Found> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`CHROMIUM_PATH=${configured} is not an executable file; ${HOW_TO_GET_ONE}`);
    return { executablePath: configured, args: [] };
  }
  if (isExecutable(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, args: [] };
  try {
    return await sparticuzChromium();
  } catch (error) {
    const cause = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    throw new Error(`${HOW_TO_GET_ONE} (${cause})`);
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * @sparticuz/chromium's executablePath() unpacks chromium, its SwiftShader libraries and a
 * font into os.tmpdir() itself, and reuses whatever `chromium` it finds there. Here it
 * unpacks into a fresh folder (TMPDIR pointed at it while the call starts: the package
 * reads tmpdir() before its first await), which is then renamed to one per version, so
 * a half-unpacked or another version's browser is never picked up.
 */
async function sparticuzChromium(): Promise<Found> {
  const entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  const version = JSON.parse(readFileSync(path.join(path.dirname(entry), "..", "package.json"), "utf8")).version as string;
  const { default: Chromium } = await import("@sparticuz/chromium");
  const home = path.join(tmpdir(), `bakalari-sync-chromium-${version}`);
  if (!usable(home)) {
    const fresh = mkdtempSync(`${home}.tmp-`);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = fresh;
    let unpacking: Promise<string>;
    try {
      unpacking = Chromium.executablePath();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    const unpacked = await unpacking;
    if (path.dirname(unpacked) !== fresh) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not into ${fresh}`);
    writeFileSync(path.join(fresh, ".complete"), "");
    // Folders appear whole (renamed into place): one there that is not usable is broken or not ours.
    if (existsSync(home) && !usable(home)) rmSync(home, { recursive: true, force: true });
    try {
      renameSync(fresh, home);
    } catch {
      if (!usable(home)) return fromFolder(fresh, Chromium.args); // someone else's name: use ours where it is
      rmSync(fresh, { recursive: true, force: true }); // another run made it first
    }
  }
  return fromFolder(home, Chromium.args);
}

/**
 * Flags of @sparticuz/chromium's `args` not passed here: --single-process (AWS Lambda needs
 * it; on a plain Linux the browser then dies with SIGTRAP once a page reloads and its context
 * closes), and two that turn off checks these tests rely on (the same-origin policy and
 * mixed-content blocking).
 */
const DROPPED_FLAGS = new Set(["--single-process", "--disable-web-security", "--allow-running-insecure-content"]);

function fromFolder(folder: string, packageArgs: string[]): Found {
  // Its fonts.conf names /tmp/fonts; this one names where its font is, and the system's
  // fonts if any. Without a font, text has no size and Playwright sees every element as hidden.
  const fontsConf =
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
    `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
    `  <dir>${path.join(folder, "fonts")}</dir>\n  <dir>/usr/share/fonts</dir>\n` +
    `  <cachedir>${path.join(folder, "fonts-cache")}</cachedir>\n</fontconfig>\n`;
  const fontsConfFile = path.join(folder, "fonts.conf");
  if (!existsSync(fontsConfFile) || readFileSync(fontsConfFile, "utf8") !== fontsConf) writeFileSync(fontsConfFile, fontsConf);
  return {
    executablePath: path.join(folder, "chromium"),
    args: packageArgs.filter((flag) => !DROPPED_FLAGS.has(flag)),
    env: { ...stringEnv(), FONTCONFIG_FILE: fontsConfFile },
  };
}

/** Made by us, complete, and writable by no one else. */
function usable(folder: string): boolean {
  try {
    const stat = statSync(folder);
    const ours = typeof process.getuid !== "function" || stat.uid === process.getuid();
    return ours && (stat.mode & 0o022) === 0 && existsSync(path.join(folder, ".complete")) && isExecutable(path.join(folder, "chromium"));
  } catch {
    return false;
  }
}

function stringEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}
