// The client's socket on Node: a ClientSocket (impl/client/socket.ts) over the `ws`
// package. Kept apart from socket.ts so that a browser bundle never pulls in `ws`.

import WebSocket from "ws";
import type { ClientSocket } from "./socket.ts";

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
