// For tests that run the real TLC: a jar found without network (TLA2TOOLS_JAR, the
// tool cache, the local Maven repository), and whether Java is there. In CI
// (CI=true) such tests never skip: model checking that silently did not run fails.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { mavenJarPath, mavenRepoLocal, TLC_PINS, tlcCacheDir } from "../resolve.ts";
import type { ResolvedTlc } from "../resolve.ts";

function localJarPath(): string | undefined {
  const env = process.env;
  const candidates = [
    env.TLA2TOOLS_JAR,
    join(tlcCacheDir(env, homedir()), TLC_PINS.official.cacheFile),
    join(tlcCacheDir(env, homedir()), TLC_PINS.maven.cacheFile),
    mavenJarPath(mavenRepoLocal(env, homedir())),
  ];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export const localJar = localJarPath();
export const hasJava = spawnSync("java", ["-version"]).status === 0;
export const inCi = process.env.CI === "true";
/** Skip a suite that needs TLC only outside CI, and only when TLC cannot run here. */
export const skipWithoutTlc = !inCi && (!localJar || !hasJava);
/** The jar as runTlc takes it. */
export const testJar = (): ResolvedTlc => ({ jar: localJar!, source: "env", label: "test jar", sha256: "" });
