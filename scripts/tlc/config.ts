// Reading TLC model configuration files (.cfg), as far as the project needs.

import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { tlcSettings } from "./settings.ts";

/**
 * The module a config checks: the .tla named like it in its folder (tla/MC_ci.cfg →
 * tla/MC_ci.tla), else the project's default module (tlc.config.json) in that folder.
 */
export function defaultSpec(config: string): string {
  const same = join(dirname(config), `${basename(config, ".cfg")}.tla`);
  const fallback = tlcSettings().defaultModule;
  return existsSync(same) || !fallback ? same : join(dirname(config), fallback);
}

const KEYWORDS =
  /^(INIT|NEXT|SPECIFICATION|CONSTANTS?|INVARIANTS?|PROPERTY|PROPERTIES|SYMMETRY|VIEW|CONSTRAINTS?|ACTION_CONSTRAINTS?|CHECK_DEADLOCK|ALIAS|POSTCONDITION)$/;

/** Drops `\* …` line comments and `(* … *)` block comments. */
function stripComments(text: string): string {
  return text.replace(/\(\*[\s\S]*?\*\)/g, " ").replace(/\\\*.*$/gm, "");
}

/** The operator names listed under one kind of section, e.g. "PROPERTIES" or "INVARIANTS". */
export function configSection(text: string, section: "PROPERTIES" | "INVARIANTS"): string[] {
  const singular = section === "PROPERTIES" ? "PROPERTY" : "INVARIANT";
  const names: string[] = [];
  let inSection = false;
  for (const token of stripComments(text).split(/\s+/).filter(Boolean)) {
    if (KEYWORDS.test(token)) inSection = token === section || token === singular;
    else if (inSection) names.push(token);
  }
  return names;
}

/** The variant of the model a config selects (`Variant = "…"` among its constants), if any. */
export function configVariant(text: string): string | undefined {
  return /^\s*Variant\s*=\s*"([^"]*)"/m.exec(stripComments(text))?.[1];
}

/** The names listed under PROPERTY/PROPERTIES. */
export const configProperties = (text: string): string[] => configSection(text, "PROPERTIES");
