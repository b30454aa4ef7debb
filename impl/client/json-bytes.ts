// JSON with byte strings: a Uint8Array is written as {"$b64": "<base64>"} and read
// back as a Uint8Array. Used for a client's saved state (its machine snapshot holds
// a tentative Welcome's bytes) and its step recording. JSON.stringify's replacer
// does not see Uint8Arrays as such (it gets them after toJSON), hence the walk.

export function toJsonValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $b64: Buffer.from(v).toString("base64") };
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  return v;
}

export function fromJsonValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJsonValue);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$b64 === "string" && Object.keys(o).length === 1) return new Uint8Array(Buffer.from(o.$b64, "base64"));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromJsonValue(x)]));
  }
  return v;
}
