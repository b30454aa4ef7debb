// What the call page shows (impl/web/call.html): the member's UID, the room, the
// epoch and the safety number (equal numbers on every page mean equal media keys:
// spec/media.md), the group's members, one tile per video with its decoded frame
// count, and per stream the frames the media worker passed and dropped by reason.
// DOM only: it knows nothing of MLS or WebRTC.

import type { Uid } from "../types.ts";
import type { VideoStats } from "./peer-link.ts";
import type { StreamStats } from "./worker-protocol.ts";

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`call.html has no #${id}`);
  return el as T;
};

export class CallView {
  private readonly tiles = new Map<string, HTMLElement>();

  onLeave(cb: () => void): void {
    byId<HTMLButtonElement>("leave").onclick = cb;
  }

  setStatus(text: string): void {
    byId("status").textContent = text;
  }

  showError(text: string): void {
    const p = document.createElement("p");
    p.textContent = text;
    byId("errors").append(p);
  }

  /** The known-bad build says so on the page: its frames leave unencrypted. */
  showKnownBad(text: string): void {
    const b = byId("banner");
    b.textContent = text;
    b.hidden = false;
  }

  setIdentity(uid: Uid, room: string): void {
    byId("uid").textContent = `user ${uid}`;
    byId("room").textContent = room;
    document.title = `user ${uid} · ${room} · DCA call`;
  }

  setObserver(room: string): void {
    byId("uid").textContent = "observer: not a member, holds no keys";
    byId("room").textContent = room;
    document.title = `observer · ${room} · DCA call`;
  }

  setEpoch(epoch: number, safetyNumber: string): void {
    byId("epoch").textContent = String(epoch);
    byId("safety-number").textContent = safetyNumber;
  }

  setMembers(members: Uid[], self: Uid): void {
    const ul = byId("members");
    ul.replaceChildren(
      ...members.map((m) => {
        const li = document.createElement("li");
        li.dataset.uid = String(m);
        li.textContent = m === self ? `user ${m} (you)` : `user ${m}`;
        return li;
      }),
    );
  }

  /** A video tile: `key` is a UID, "self" or a tap's name; null removes it. */
  setVideo(key: string, label: string, stream: MediaStream | null, muted = true): void {
    const old = this.tiles.get(key);
    if (!stream) {
      old?.remove();
      this.tiles.delete(key);
      return;
    }
    const tile = old ?? document.createElement("figure");
    if (!old) {
      tile.className = "tile";
      tile.dataset.peer = key;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.muted = muted;
      const caption = document.createElement("figcaption");
      tile.append(video, caption);
      byId("videos").append(tile);
      this.tiles.set(key, tile);
    }
    tile.querySelector("figcaption")!.textContent = label;
    tile.querySelector("video")!.srcObject = stream;
  }

  setFrames(key: string, stats: VideoStats | undefined): void {
    const tile = this.tiles.get(key);
    if (!tile || !stats) return;
    tile.dataset.framesDecoded = String(stats.framesDecoded);
    let note = tile.querySelector<HTMLElement>(".frames");
    if (!note) {
      note = document.createElement("span");
      note.className = "frames";
      tile.append(note);
    }
    note.textContent = `${stats.framesDecoded} frames decoded`;
  }

  setStreams(streams: StreamStats[]): void {
    const rows = streams.map((s) => {
      const tr = document.createElement("tr");
      const dropped = Object.entries(s.dropped).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
      for (const text of [s.stream, String(s.passed), dropped]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    byId("streams").replaceChildren(...rows);
  }
}
