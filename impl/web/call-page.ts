// The call page (bundled by scripts/lib/call-build.ts into build/web/call.js): joins a
// room as a member through the delivery service (?ds=ws://…&room=…), sends its
// camera and microphone to every other member over a peer connection with every frame encrypted by
// SFrame under the MLS group's keys (impl/web/media-worker.ts), and shows the others'
// videos, the members, the epoch and the safety number.
//
// ?observe: the page joins nothing; it only answers taps (impl/web/tap.ts), to stand
// where an SFU stands in the browser test.
//
// window.dcaCall is the page's handle for tests and the console: its state, its
// statistics, and taps.

import { NetworkClient } from "../client/client.ts";
import { wsLink } from "../client/ds-link.ts";
import type { Uid } from "../types.ts";
import { openBrowserSocket } from "./browser-socket.ts";
import { CallView } from "./call-view.ts";
import { checkEncodedTransform, plaintextSender } from "./encrypted-track.ts";
import type { VideoStats } from "./peer-link.ts";
import { PeerMesh } from "./peer-mesh.ts";
import { decodeSignal, encodeSignal } from "./signal.ts";
import { Tap } from "./tap.ts";
import type { FromWorker, KeySet, StreamStats, ToWorker } from "./worker-protocol.ts";

const CAMERA = { width: 320, height: 240, frameRate: 15 };

interface CallState {
  uid: Uid | null;
  epoch: number | null;
  safetyNumber: string | null;
  members: Uid[];
  left: boolean;
  status: string;
  errors: string[];
}

const view = new CallView();
const params = new URLSearchParams(location.search);
const state: CallState = { uid: null, epoch: null, safetyNumber: null, members: [], left: false, status: "starting", errors: [] };
const status = (s: string) => {
  state.status = s;
  view.setStatus(s);
};
const fail = (where: string, e: unknown) => {
  const text = `${where}: ${e instanceof Error ? e.message : String(e)}`;
  state.errors.push(text);
  view.showError(text);
};

const worker = new Worker("media-worker.js");
const toWorker = (m: ToWorker) => worker.postMessage(m);
let streams: StreamStats[] = [];
let keptEpochs: number[] = [];
worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  streams = ev.data.streams;
  keptEpochs = ev.data.keptEpochs;
  view.setStreams(streams.filter((s) => s.frames > 0));
};
worker.onerror = (ev) => fail("media worker", ev.message);

let camera: MediaStreamTrack | null = null;
let microphone: MediaStreamTrack | null = null;
let mesh: PeerMesh | null = null;
const taps = new Map<string, Tap>();
let client: NetworkClient | null = null;

async function join(room: string, ds: string): Promise<void> {
  checkEncodedTransform();
  if (plaintextSender()) view.showKnownBad("KNOWN-BAD BUILD: this page sends its frames WITHOUT encryption (a test's proof of its own teeth)");
  status("opening the camera and the microphone");
  const media = await navigator.mediaDevices.getUserMedia({ video: CAMERA, audio: true });
  camera = media.getVideoTracks()[0]!;
  microphone = media.getAudioTracks()[0] ?? null;
  view.setVideo("self", "you", media);
  status(`connecting to ${ds}`);
  const c = new NetworkClient({ room, connect: wsLink(ds, openBrowserSocket) });
  client = c;
  c.on((e) => {
    switch (e.type) {
      case "connected":
        state.uid = e.uid;
        view.setIdentity(e.uid, room);
        status(c.view ? "in the call" : "waiting to be added by the designated committer");
        mesh ??= new PeerMesh({
          self: e.uid,
          camera: camera!,
          microphone: microphone ?? undefined,
          worker,
          signal: (s) => c.send(encodeSignal(s)),
          onRemote: (uid, stream) => view.setVideo(String(uid), `user ${uid}`, stream),
          onError: fail,
        });
        return;
      case "epoch": {
        // Read the group's exporter now, before the next step replaces the group.
        const media = c.epochMedia();
        void media?.then((m) => toWorker({ t: "epoch", media: m }), (err) => fail("media keys", err));
        state.epoch = e.epoch;
        state.safetyNumber = e.safetyNumber;
        view.setEpoch(e.epoch, e.safetyNumber);
        status("in the call");
        return;
      }
      case "membership":
        state.members = e.members;
        view.setMembers(e.members, c.uid!);
        mesh?.setMembers(e.members);
        return;
      case "message": {
        const s = decodeSignal(e.text);
        if (s && s.to === c.uid) void mesh?.onSignal(e.from, s);
        return;
      }
      case "refused-by-room":
        status(e.message);
        return;
      case "left":
        hangUp(`left the room (${e.reason})`);
        return;
      case "disconnected":
        status(`delivery service lost (${e.why}); reconnecting`);
        return;
      case "error":
        fail(e.where, e.message);
        return;
      default:
        return;
    }
  });
  await c.start();
}

/** The member is out of the group: links closed, keys forgotten, camera off. */
function hangUp(why: string): void {
  state.left = true;
  mesh?.close();
  for (const t of taps.values()) t.close();
  toWorker({ t: "forget" });
  camera?.stop();
  microphone?.stop();
  view.setVideo("self", "you", null);
  status(why);
}

function tap(name: string): Tap {
  let t = taps.get(name);
  if (!t) taps.set(name, (t = new Tap(worker, name)));
  return t;
}

const stats = async () => {
  const peers = (await mesh?.stats()) ?? {};
  for (const [uid, s] of Object.entries(peers)) view.setFrames(uid, s);
  const tapStats: Record<string, VideoStats> = {};
  for (const [name, t] of taps) {
    const s = await t.stats();
    if (s) tapStats[name] = s;
    view.setFrames(name, s ?? undefined);
  }
  return { peers, taps: tapStats, streams, keptEpochs };
};
setInterval(() => void stats(), 1000);

view.onLeave(() => {
  if (client && !state.left) client.leave();
});

Object.assign(window, {
  dcaCall: {
    state: () => structuredClone(state),
    stats,
    /** Offers the member's encrypted camera on tap `name`; returns the SDP offer. */
    tapOffer: (name: string) => {
      if (!camera || state.epoch === null) throw new Error("not in the call");
      return tap(name).offer(camera, microphone ?? undefined);
    },
    tapAccept: (name: string, answer: string) => tap(name).accept(answer),
    /** Answers tap `name`'s offer, decrypting with `keys` ("none": no transform, as an SFU). */
    tapAnswer: (name: string, offer: string, keys: KeySet | "none") => tap(name).answer(offer, keys, (s) => view.setVideo(name, `${name} (keys: ${keys})`, s)),
    leave: () => {
      client?.leave();
    },
  },
});

const room = params.get("room") ?? "call";
const ds = params.get("ds");
if (params.has("observe")) {
  view.setObserver(room);
  status("observing: answers taps only");
} else if (!ds) {
  fail("address", "no delivery service given: open the URL `npm run call` prints (it has ?ds=ws://…)");
  status("not started");
} else {
  join(room, ds).catch((e) => {
    fail("join", e);
    status("not started");
  });
}
