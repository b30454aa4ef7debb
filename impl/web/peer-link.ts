// One RTCPeerConnection to one other party, carrying the member's camera out and the
// other party's video in, each frame through the media worker's SFrame transform
// (impl/web/encrypted-track.ts). The call's mesh (impl/web/peer-mesh.ts) keeps one
// per other member; a tap (impl/web/tap.ts) is one to a party outside the room.
// Signalling is the caller's: offer() and answer() return the SDP to carry, with
// every ICE candidate in it (no trickle).

import { decryptReceiver, encryptSender, preferVp8 } from "./encrypted-track.ts";
import type { KeySet } from "./worker-protocol.ts";

export interface PeerLinkOptions {
  worker: Worker;
  /** Names this link's streams in the worker's statistics. */
  name: string;
  /** The camera track to send, encrypted; none for a link that only receives. */
  send?: MediaStreamTrack;
  /** How received frames are decrypted: with the member's keys, a stranger's, or not at all ("none": as an SFU gets them); none for a link that only sends. */
  receive?: KeySet | "none";
  /** The other party's video, once it arrives. */
  onStream?: (stream: MediaStream) => void;
}

/** What the peer connection's own statistics say about the video, both ways. */
export interface VideoStats {
  state: RTCPeerConnectionState;
  framesDecoded: number;
  framesReceived: number;
  bytesReceived: number;
  framesEncoded: number;
  bytesSent: number;
}

function iceGathered(pc: RTCPeerConnection, ms = 3000): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms); // send what was gathered: better late than never
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

const direction = (o: PeerLinkOptions): RTCRtpTransceiverDirection =>
  o.send && o.receive ? "sendrecv" : o.send ? "sendonly" : "recvonly";

export class PeerLink {
  readonly pc = new RTCPeerConnection({ iceServers: [] });

  private constructor(private readonly o: PeerLinkOptions) {
    this.pc.ontrack = (ev) => o.onStream?.(new MediaStream([ev.track]));
  }

  /** The transforms go on before any frame can flow: the connection is not up until the answer is in. */
  private dress(t: RTCRtpTransceiver): void {
    preferVp8(t);
    if (this.o.send) encryptSender(t.sender, this.o.worker, `to ${this.o.name}`);
    if (this.o.receive && this.o.receive !== "none") decryptReceiver(t.receiver, this.o.worker, `from ${this.o.name}`, this.o.receive);
  }

  static async offer(o: PeerLinkOptions): Promise<{ link: PeerLink; sdp: string }> {
    const link = new PeerLink(o);
    const t = link.pc.addTransceiver(o.send ?? "video", { direction: direction(o) });
    link.dress(t);
    await link.pc.setLocalDescription(await link.pc.createOffer());
    await iceGathered(link.pc);
    return { link, sdp: link.pc.localDescription!.sdp };
  }

  static async answer(o: PeerLinkOptions, offer: string): Promise<{ link: PeerLink; sdp: string }> {
    const link = new PeerLink(o);
    await link.pc.setRemoteDescription({ type: "offer", sdp: offer });
    const t = link.pc.getTransceivers()[0];
    if (!t) throw new Error("the offer has no media section");
    link.dress(t);
    t.direction = direction(o);
    if (o.send) await t.sender.replaceTrack(o.send);
    await link.pc.setLocalDescription(await link.pc.createAnswer());
    await iceGathered(link.pc);
    return { link, sdp: link.pc.localDescription!.sdp };
  }

  async accept(answer: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: "answer", sdp: answer });
  }

  get connected(): boolean {
    return this.pc.connectionState === "connected";
  }

  async stats(): Promise<VideoStats> {
    const s: VideoStats = { state: this.pc.connectionState, framesDecoded: 0, framesReceived: 0, bytesReceived: 0, framesEncoded: 0, bytesSent: 0 };
    (await this.pc.getStats()).forEach((r: Record<string, unknown>) => {
      if (r.kind !== "video") return;
      const n = (k: string) => (typeof r[k] === "number" ? (r[k] as number) : 0);
      if (r.type === "inbound-rtp") {
        s.framesDecoded += n("framesDecoded");
        s.framesReceived += n("framesReceived");
        s.bytesReceived += n("bytesReceived");
      } else if (r.type === "outbound-rtp") {
        s.framesEncoded += n("framesEncoded");
        s.bytesSent += n("bytesSent");
      }
    });
    return s;
  }

  close(): void {
    this.pc.close();
  }
}
