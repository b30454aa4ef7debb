// Builds the call page (impl/web/) with esbuild into a folder: call.js (the page),
// media-worker.js (the RTCRtpScriptTransform worker), index.html and call.css. The
// bundles are for browsers only: the build fails if anything in them comes from a
// Node built-in module or the `ws` package (node-only code kept out, not shimmed).
//
// knownBad "plaintext-sender" builds the page WITHOUT the sender's encryption
// transform and a red banner saying so: the browser test runs it to prove that it
// fails when frames leave unencrypted. Never served by `npm run call`.

import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WEB = join(ROOT, "impl", "web");

export interface CallBuildOptions {
  knownBad?: "plaintext-sender";
}

export async function buildCallPage(outDir: string, opts: CallBuildOptions = {}): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { call: join(WEB, "call-page.ts"), "media-worker": join(WEB, "media-worker.ts") },
    outdir: outDir,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    sourcemap: true,
    metafile: true,
    logLevel: "silent",
    define: { KNOWN_BAD_PLAINTEXT_SENDER: opts.knownBad === "plaintext-sender" ? "true" : "false" },
  });
  const nodeOnly = Object.keys(result.metafile.inputs).filter((p) => /^node:|node_modules\/ws\//.test(p));
  if (nodeOnly.length) throw new Error(`the call page's bundle pulls in node-only code: ${nodeOnly.join(", ")}`);
  copyFileSync(join(WEB, "call.html"), join(outDir, "index.html"));
  copyFileSync(join(WEB, "call.css"), join(outDir, "call.css"));
}
