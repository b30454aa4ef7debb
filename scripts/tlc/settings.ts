// What a project tells the TLC driver about itself, so the driver names no project:
// the folder under ${XDG_CACHE_HOME:-~/.cache} that holds the jar and resumable runs,
// and the module a config checks when no module is named like it. Read once from
// `tlc.config.json` in the working directory (the project's root, where npm runs
// commands); absent, the defaults below.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface TlcSettings {
  /** Folder name under the user's cache folder (jar in <it>/tlc, resumable runs in <it>/runs). */
  cacheFolder: string;
  /** Module checked for <name>.cfg when <name>.tla does not exist beside it; none: it is an error. */
  defaultModule?: string;
}

export const SETTINGS_FILE = "tlc.config.json";
const DEFAULTS: TlcSettings = { cacheFolder: "tlc-driver" };
let cached: TlcSettings | undefined;

export class SettingsError extends Error {}

/** The settings in force: `tlc.config.json` of the working directory over the defaults. */
export function tlcSettings(dir = process.cwd()): TlcSettings {
  if (cached && dir === process.cwd()) return cached;
  const file = join(dir, SETTINGS_FILE);
  let found: TlcSettings = { ...DEFAULTS };
  if (existsSync(file)) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new SettingsError(`${file}: ${(e as Error).message}`);
    }
    if (doc.cacheFolder !== undefined && (typeof doc.cacheFolder !== "string" || !/^[\w.-]+$/.test(doc.cacheFolder))) {
      throw new SettingsError(`${file}: cacheFolder: expected a folder name (letters, digits, . _ -)`);
    }
    if (doc.defaultModule !== undefined && (typeof doc.defaultModule !== "string" || !doc.defaultModule.endsWith(".tla"))) {
      throw new SettingsError(`${file}: defaultModule: expected a module file name ending in .tla`);
    }
    found = { ...found, ...(doc as Partial<TlcSettings>) };
  }
  if (dir === process.cwd()) cached = found;
  return found;
}
