// Field-by-field comparison of ITF values (scripts/tlc/formats/tla-values.ts), for
// reporting where the implementation's mapped state and the model's differ.

import { isItfRecord, itfToTla, type ItfValue } from "../../scripts/tlc/formats/tla-values.ts";

export interface Difference {
  /** Where, e.g. `st[2].pendingAdds[1]` or `group.members`. */
  path: string;
  model: string;
  impl: string;
}

type Fields = Record<string, ItfValue>;
const isObject = (v: ItfValue): boolean => typeof v === "object" && v !== null && !Array.isArray(v);
const fields = (v: ItfValue): Fields => v as unknown as Fields;
const tagged = (v: ItfValue, tag: string): ItfValue[] | undefined =>
  isObject(v) && Array.isArray(fields(v)[tag]) ? (fields(v)[tag] as ItfValue[]) : undefined;

/** A canonical text for a value: sets and maps in sorted order. */
export function canonical(v: ItfValue): string {
  const members = tagged(v, "#set");
  if (members) return `{${members.map(canonical).sort().join(",")}}`;
  const map = tagged(v, "#map");
  if (map) return `(${map.map((kv) => canonical((kv as ItfValue[])[0]!) + ":>" + canonical((kv as ItfValue[])[1]!)).sort().join("@@")})`;
  if (Array.isArray(v)) return `<<${v.map(canonical).join(",")}>>`;
  if (isObject(v)) return `[${Object.keys(v).sort().map((k) => `${k}|->${canonical(fields(v)[k]!)}`).join(",")}]`;
  return JSON.stringify(v);
}

const show = (v: ItfValue | undefined) => (v === undefined ? "(absent)" : itfToTla(v));

/** Every place where `impl` differs from `model`, descending into records and sequences. */
export function diffValues(model: ItfValue | undefined, impl: ItfValue | undefined, path = ""): Difference[] {
  if (model === undefined || impl === undefined) {
    return model === impl ? [] : [{ path, model: show(model), impl: show(impl) }];
  }
  if (canonical(model) === canonical(impl)) return [];
  if (isItfRecord(model) && isItfRecord(impl)) {
    const m = fields(model), i = fields(impl);
    const keys = [...new Set([...Object.keys(m), ...Object.keys(i)])].sort();
    return keys.flatMap((k) => diffValues(m[k], i[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(model) && Array.isArray(impl) && model.length === impl.length) {
    return model.flatMap((v, n) => diffValues(v, impl[n], `${path}[${n + 1}]`));
  }
  return [{ path, model: show(model), impl: show(impl) }];
}
