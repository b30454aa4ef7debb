// Base64 for the DS wire protocol (impl/ds/protocol.ts) with the platform's own
// btoa/atob, present in Node 16+ and every browser, so the client's link runs in both
// (Buffer is Node only). Strict: a string that is not base64 reads as undefined, so
// a bad frame from the DS is refused by the caller, not thrown out of a socket handler.

const CHUNK = 0x8000; // String.fromCharCode takes arguments: stay well below engines' limits

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
