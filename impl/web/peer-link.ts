// One RTCPeerConnection to one other party, carrying the member's camera and
// microphone out and the other party's video and audio in, each frame through the
// media worker's SFrame transform (impl/web/encrypted-track.ts): VP8 video on the
// first transceiver, Opus audio on the second. The call's mesh (impl/web/peer-mesh.ts) keeps one
// per other member; a tap (impl/web/tap.ts) is one to a party outside the room.
// Signalling is the caller's: offer() and answer() return the SDP to carry, with
// every ICE candidate in it (no trickle).

import { decryptReceiver, encryptSender, preferOpus, preferVp8 } from "./encrypted-track.ts";
import type { KeySet } from "./worker-protocol.ts";

export interface PeerLinkOptions {
  worker: Worker;
  /** Names this link's streams in the worker's statistics. */
  name: string;
  /** The camera track to send, encrypted; none for a link that only receives. */
  send?: MediaStreamTrack;
  /** The microphone track to send, encrypted (Opus, every byte); none: no audio out. */
  sendAudio?: MediaStreamTrack;
  /** How received frames are decrypted: with the member's keys, a stranger's, or not at all ("none": as an SFU gets them); none for a link that only sends. */
  receive?: KeySet | "none";
  /** The other party's media (its video, and its audio as that arrives), once the video arrives. */
  onStream?: (stream: MediaStream) => void;
}

/** What the peer connection's own statistics say about the video, both ways, and the audio received. */
export interface VideoStats {
  state: RTCPeerConnectionState;
  framesDecoded: number;
  framesReceived: number;
  bytesReceived: number;
  framesEncoded: number;
  bytesSent: number;
  audioPacketsReceived: number;
  audioBytesReceived: number;
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
const audioDirection = (o: PeerLinkOptions): RTCRtpTransceiverDirection =>
  o.sendAudio && o.receive ? "sendrecv" : o.sendAudio ? "sendonly" : o.receive ? "recvonly" : "inactive";

export class PeerLink {
  readonly pc = new RTCPeerConnection({ iceServers: [] });

  /** The other party's tracks, in one stream: the <video> showing it plays its audio too. */
  private readonly remote = new MediaStream();

  private constructor(private readonly o: PeerLinkOptions) {
    this.pc.ontrack = (ev) => {
      this.remote.addTrack(ev.track);
      if (ev.track.kind === "video") o.onStream?.(this.remote);
    };
  }

  /** The transforms go on before any frame can flow: the connection is not up until the answer is in. */
  private dress(video: RTCRtpTransceiver, audio: RTCRtpTransceiver | undefined): void {
    const { worker, name, receive } = this.o;
    preferVp8(video);
    if (this.o.send) encryptSender(video.sender, worker, `to ${name}`);
    if (receive && receive !== "none") decryptReceiver(video.receiver, worker, `from ${name}`, receive);
    if (!audio) return;
    preferOpus(audio);
    if (this.o.sendAudio) encryptSender(audio.sender, worker, `audio to ${name}`, "opus");
    if (receive && receive !== "none") decryptReceiver(audio.receiver, worker, `audio from ${name}`, receive, "opus");
  }

  static async offer(o: PeerLinkOptions): Promise<{ link: PeerLink; sdp: string }> {
    const link = new PeerLink(o);
    const t = link.pc.addTransceiver(o.send ?? "video", { direction: direction(o) });
    const a = link.pc.addTransceiver(o.sendAudio ?? "audio", { direction: audioDirection(o) });
    link.dress(t, a);
    await link.pc.setLocalDescription(await link.pc.createOffer());
    await iceGathered(link.pc);
    return { link, sdp: link.pc.localDescription!.sdp };
  }

  static async answer(o: PeerLinkOptions, offer: string): Promise<{ link: PeerLink; sdp: string }> {
    const link = new PeerLink(o);
    await link.pc.setRemoteDescription({ type: "offer", sdp: offer });
    const all = link.pc.getTransceivers();
    const t = all.find((x) => x.receiver.track.kind === "video");
    if (!t) throw new Error("the offer has no video section");
    const a = all.find((x) => x.receiver.track.kind === "audio");
    link.dress(t, a);
    t.direction = direction(o);
    if (o.send) await t.sender.replaceTrack(o.send);
    if (a) {
      a.direction = audioDirection(o);
      if (o.sendAudio) await a.sender.replaceTrack(o.sendAudio);
    }
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
    const s: VideoStats = { state: this.pc.connectionState, framesDecoded: 0, framesReceived: 0, bytesReceived: 0, framesEncoded: 0, bytesSent: 0, audioPacketsReceived: 0, audioBytesReceived: 0 };
    (await this.pc.getStats()).forEach((r: Record<string, unknown>) => {
      const n = (k: string) => (typeof r[k] === "number" ? (r[k] as number) : 0);
      if (r.kind === "audio" && r.type === "inbound-rtp") {
        s.audioPacketsReceived += n("packetsReceived");
        s.audioBytesReceived += n("bytesReceived");
      }
      if (r.kind !== "video") return;
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
