// The client's socket in a browser page: a ClientSocket (impl/client/socket.ts) over
// the page's own WebSocket, opened and waited for; a URL that cannot be reached
// rejects with a message naming it.

import { fromBrowserSocket, type BrowserLikeWebSocket, type ClientSocket } from "../client/socket.ts";

export function openBrowserSocket(url: string, timeoutMs = 5000): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      reject(new Error(`${url}: ${(e as Error).message}`));
      return;
    }
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`${url}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`${url}: cannot connect`));
    };
    ws.onopen = () => {
      clearTimeout(timer);
      ws.onerror = null;
      resolve(fromBrowserSocket(ws as unknown as BrowserLikeWebSocket)); // lib.dom types the handlers with `this`
    };
  });
}
