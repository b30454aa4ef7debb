// The client's socket, behind a small interface so the same client runs over the
// `ws` package on Node or a browser's WebSocket: text frames in and out, open,
// close, error. connectWs opens one with the `ws` package.

import WebSocket from "ws";

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

/** Opens a socket to `url` with the `ws` package; rejects with a message naming the URL and why. */
export function connectWs(url: string, timeoutMs = 5000): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
    } catch (e) {
      reject(new Error(`${url}: ${(e as Error).message}`));
      return;
    }
    let closeCb: ((why: string) => void) | undefined;
    let closed = false;
    const onClose = (why: string) => {
      if (closed) return;
      closed = true;
      closeCb?.(why);
    };
    ws.once("error", (e) => {
      if (ws.readyState !== WebSocket.OPEN) reject(new Error(`${url}: cannot connect (${(e as NodeJS.ErrnoException).code ?? e.message})`));
      onClose(`error (${e.message})`);
    });
    ws.on("error", () => {});
    ws.once("open", () => {
      ws.on("close", (code, reason) => onClose(`closed (${code}${reason.length ? ` ${reason.toString()}` : ""})`));
      resolve({
        send: (t) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(t);
        },
        close: () => ws.close(),
        onMessage: (cb) => ws.on("message", (data) => cb(data.toString())),
        onClose: (cb) => {
          closeCb = cb;
        },
      });
    });
  });
}
