// The client's socket, behind a small interface so the same client runs over the
// `ws` package on Node (impl/client/ws-socket.ts) or a browser's WebSocket
// (impl/web/browser-socket.ts): text frames in and out, open, close, error. No
// Node module here: a browser bundle imports this file.

export interface ClientSocket {
  send(text: string): void;
  close(): void;
  onMessage(cb: (text: string) => void): void;
  onClose(cb: (why: string) => void): void;
}

/** A browser-style WebSocket (the subset used), so a page can pass its own. */
export interface BrowserLikeWebSocket {
  send(data: string): void;
  close(): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onopen: ((ev: unknown) => void) | null;
}

/** Wraps an open browser-style WebSocket. */
export function fromBrowserSocket(ws: BrowserLikeWebSocket): ClientSocket {
  return {
    send: (t) => ws.send(t),
    close: () => ws.close(),
    onMessage: (cb) => {
      ws.onmessage = (ev) => cb(String(ev.data));
    },
    onClose: (cb) => {
      ws.onclose = (ev) => cb(`closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`);
    },
  };
}
