// A tap: a peer connection that carries a member's encrypted camera to a party
// outside the room, signalled by hand (the SDP is passed by whoever sets it up, not
// through the room). It stands where an SFU stands: it gets exactly the frames a
// member sends, encrypted with the group's keys. The browser test opens taps to a
// page with no keys, a page with the wrong keys, and a member removed from the
// group, to show that none of them can decode the video.

import { PeerLink, type VideoStats } from "./peer-link.ts";
import type { KeySet } from "./worker-protocol.ts";

export class Tap {
  private link: PeerLink | null = null;

  constructor(
    private readonly worker: Worker,
    /** Names its streams in the worker's statistics. */
    private readonly name = "tap",
  ) {}

  /** The sending end: the member's camera and microphone, encrypted as to any member; returns the offer. */
  async offer(camera: MediaStreamTrack, microphone?: MediaStreamTrack): Promise<string> {
    this.link?.close();
    const { link, sdp } = await PeerLink.offer({ worker: this.worker, name: this.name, send: camera, sendAudio: microphone });
    this.link = link;
    return sdp;
  }

  async accept(answer: string): Promise<void> {
    if (!this.link) throw new Error("no tap offered");
    await this.link.accept(answer);
  }

  /** The receiving end: answers the offer and decrypts with `keys` ("none": frames go to the decoder as they arrive). */
  async answer(offer: string, keys: KeySet | "none", onStream: (s: MediaStream) => void): Promise<string> {
    this.link?.close();
    const { link, sdp } = await PeerLink.answer({ worker: this.worker, name: this.name, receive: keys, onStream }, offer);
    this.link = link;
    return sdp;
  }

  stats(): Promise<VideoStats> | null {
    return this.link?.stats() ?? null;
  }

  close(): void {
    this.link?.close();
    this.link = null;
  }
}
