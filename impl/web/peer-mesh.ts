// The call's peer connections: one PeerLink (impl/web/peer-link.ts) to every other
// member of the MLS group, each way encrypted with the group's frame keys. The
// member with the higher UID (the later arrival) offers, so two members never offer
// to each other at once. An offer or its answer may be lost (an application message
// of an epoch the receiver has already left is unreadable): an offer not connected
// within RETRY_MS is made again, and a new offer from a member replaces its link.
// A member that leaves the group loses its link at once.

import type { Uid } from "../types.ts";
import { PeerLink, type VideoStats } from "./peer-link.ts";
import type { Signal } from "./signal.ts";

export const RETRY_MS = 5000;

export interface MeshOptions {
  self: Uid;
  camera: MediaStreamTrack;
  microphone?: MediaStreamTrack;
  worker: Worker;
  /** Sends a signal to one member (an MLS application message through the DS). */
  signal: (s: Omit<Signal, "tag">) => Promise<void>;
  /** A member's video arrived (a stream), or its link closed (null). */
  onRemote: (uid: Uid, stream: MediaStream | null) => void;
  onError: (where: string, e: unknown) => void;
}

interface Peer {
  link: PeerLink;
  /** The offer this link belongs to. */
  id: string;
  offeredAt: number;
}

const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");

export class PeerMesh {
  private readonly peers = new Map<Uid, Peer>();
  private members: Uid[] = [];
  private readonly offering = new Set<Uid>();
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly o: MeshOptions) {
    this.timer = setInterval(() => this.retry(), 1000);
  }

  /** The group's members now (from the member's MLS group): links to newcomers, none to those gone. */
  setMembers(members: Uid[]): void {
    if (this.closed) return;
    this.members = members.filter((m) => m !== this.o.self);
    for (const uid of [...this.peers.keys()]) if (!this.members.includes(uid)) this.drop(uid);
    for (const uid of this.members) if (uid < this.o.self && !this.peers.has(uid)) void this.offer(uid);
  }

  private drop(uid: Uid): void {
    this.peers.get(uid)?.link.close();
    this.peers.delete(uid);
    this.o.onRemote(uid, null);
  }

  private linkOptions(uid: Uid) {
    return { worker: this.o.worker, name: String(uid), send: this.o.camera, sendAudio: this.o.microphone, receive: "member" as const, onStream: (s: MediaStream) => this.o.onRemote(uid, s) };
  }

  private async offer(uid: Uid): Promise<void> {
    if (this.offering.has(uid)) return;
    this.offering.add(uid);
    const id = newId();
    this.peers.get(uid)?.link.close();
    try {
      const { link, sdp } = await PeerLink.offer(this.linkOptions(uid));
      if (this.closed || !this.members.includes(uid)) return link.close();
      this.peers.get(uid)?.link.close(); // a link made meanwhile (an offer from it) gives way to this one
      this.peers.set(uid, { link, id, offeredAt: Date.now() });
      await this.o.signal({ t: "offer", to: uid, id, sdp });
    } catch (e) {
      this.o.onError(`offer to ${uid}`, e);
    } finally {
      this.offering.delete(uid);
    }
  }

  /** A signal from member `from` (already checked to be addressed to this member). */
  async onSignal(from: Uid, s: Signal): Promise<void> {
    if (this.closed || !this.members.includes(from)) return;
    try {
      if (s.t === "offer") {
        if (from < this.o.self) return; // the later arrival offers: an offer the other way is not the protocol
        this.peers.get(from)?.link.close();
        const { link, sdp } = await PeerLink.answer(this.linkOptions(from), s.sdp);
        if (this.closed || !this.members.includes(from)) return link.close();
        this.peers.get(from)?.link.close();
        this.peers.set(from, { link, id: s.id, offeredAt: Date.now() });
        await this.o.signal({ t: "answer", to: from, id: s.id, sdp });
      } else {
        const p = this.peers.get(from);
        if (!p || p.id !== s.id || p.link.pc.signalingState !== "have-local-offer") return; // an answer to an offer replaced since
        await p.link.accept(s.sdp);
      }
    } catch (e) {
      this.o.onError(`${s.t} from ${from}`, e);
    }
  }

  /** Offers that failed or did not connect in time are made again. */
  private retry(): void {
    const now = Date.now();
    for (const uid of this.members) {
      const p = this.peers.get(uid);
      // No link (its offer failed) or one not connected in time (the offer or its answer was lost).
      if (uid < this.o.self && (!p || (!p.link.connected && now - p.offeredAt > RETRY_MS))) void this.offer(uid);
    }
  }

  async stats(): Promise<Record<Uid, VideoStats>> {
    const out: Record<Uid, VideoStats> = {};
    for (const [uid, p] of this.peers) out[uid] = await p.link.stats();
    return out;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const uid of [...this.peers.keys()]) this.drop(uid);
  }
}
