// Registers ts-node's ESM loader so `node --import ./scripts/register-ts-node.mjs x.ts`
// runs TypeScript directly. Transpile-only: types are checked once by `tsc --noEmit`.
import { register } from "node:module";
import { pathToFileURL } from "node:url";

process.env.TS_NODE_TRANSPILE_ONLY ??= "1";
process.env.TS_NODE_LOG_ERROR ??= "1";
register("ts-node/esm", pathToFileURL("./"));
