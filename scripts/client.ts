// npm run client -- --room R --name alice [--url ws://127.0.0.1:PORT] [--state FILE] [--record FILE] [--json] [--variant V] [--batch]
//
// One member of a room over the network (impl/client/client.ts): it prints, one
// line each, the events a UI would show — connected, membership changed, epoch
// changed with its safety number, message, refused entry (with the reason), left.
// Lines typed on stdin are sent as application messages; "/leave" leaves the room,
// "/status" prints the member's view, "/quit" (or SIGTERM) stops without leaving
// (the DS announces the user left when its connection is presumed dead). With
// --state it saves its state after every step and, started again with the same
// file, resumes as the same user. --json prints each event as one JSON line
// (for the demo and the chaos test). --batch runs the batched rules (spec/batching.md
// section 4): a room's clients must all be started with it, or all without.
// Exit status: 0 stopped or left, 1 failed (e.g. fenced at start), 2 bad usage or a bad state file
// (scripts/cli/command.ts).

import { createInterface } from "node:readline";
import { ClientError, NetworkClient, type ClientEvent } from "../impl/client/client.ts";
import { wsLink, DEFAULT_URL } from "../impl/client/ds-link.ts";
import { fileStore, StateFileError } from "../impl/client/state-file.ts";
import { StepRecorder } from "../impl/client/step-record.ts";
import { connectWs } from "../impl/client/ws-socket.ts";
import { VARIANTS } from "../impl/types.ts";
import { command, oneOf, required, UsageError } from "./cli/command.ts";

const HELP = `Usage: npm run client -- --room R --name NAME [--url URL] [--state FILE] [--record FILE] [--json] [--variant V] [--batch]

  --room R        the room to join
  --name NAME     a label for the printed lines (the DS assigns the UID)
  --url URL       the delivery service (default ${DEFAULT_URL})
  --state FILE    save the member's state here after every step; resume from it
  --record FILE   record the member's model steps here (JSON lines) for TLC
  --json          print events as JSON lines
  --variant V     a known-bad switch, for tests only (default Correct)
  --batch         batched adds and removes (spec/batching.md); every client of the room
                  must use it or none (entries made the other way are refused)

On stdin: a line is sent as a message; /status, /leave, /quit.`;

function describe(e: ClientEvent): string {
  switch (e.type) {
    case "connected":
      return `connected as user ${e.uid}${e.resumed ? `, resumed at log entry ${e.cursor}` : ""} (log head ${e.head})`;
    case "disconnected":
      return `disconnected: ${e.why}; reconnecting`;
    case "membership":
      return `members: ${e.members.join(", ")}`;
    case "epoch":
      return `epoch ${e.epoch}, safety number ${e.safetyNumber}`;
    case "message":
      return `message from user ${e.from}: ${e.text}`;
    case "refused":
      return `refused ${e.logIndex >= 0 ? `log entry ${e.logIndex}` : "a message"}: ${e.reason}: ${e.detail}`;
    case "dc-step":
      return `as DC: ${e.action} for ${e.targets && e.targets.length > 1 ? `users ${e.targets.join(", ")}` : `user ${e.target}`} (log entry ${e.logIndex})`;
    case "revived":
      return `the room was dead (every member had left): created a new group as its DC, after log entry ${e.logLength - 1}`;
    case "refused-by-room":
      return e.message;
    case "left":
      return e.reason === "self" ? "left the room"
        : e.reason === "fenced" ? "left: the DS fenced this user (announced as left)"
        : e.reason === "refused" ? "left: the room refused this user"
        : "left: the DS announced this user as left";
    case "error":
      return `error (${e.where}): ${e.message}`;
  }
}

await command(import.meta.url, {
  name: "client",
  help: HELP,
  options: {
    room: { type: "string" },
    name: { type: "string" },
    url: { type: "string" },
    state: { type: "string" },
    record: { type: "string" },
    json: { type: "boolean" },
    variant: { type: "string" },
    batch: { type: "boolean" },
  },
  errors: [{ type: StateFileError }, { type: ClientError, label: "", status: 1 }],
  exitWhenDone: true, // stdin and the DS connection stay open otherwise
  run: async ({ values }) => {
    const room = required("--room", values.room);
    const name = required("--name", values.name);
    const variant = oneOf("--variant", values.variant, VARIANTS, "variant", "Correct");
    const json = values.json === true;
    const batch = values.batch === true;
    if (batch && variant !== "Correct") throw new UsageError(`--batch runs the batched rules, checked with --variant Correct only, not ${variant}`);
    const print = (e: ClientEvent | { type: "status"; [k: string]: unknown }) => {
      if (json) console.log(JSON.stringify({ name, at: Date.now(), ...e }));
      else console.log(`${new Date().toISOString().slice(11, 23)} ${name}  ${e.type === "status" ? `status: ${JSON.stringify(e)}` : describe(e as ClientEvent)}`);
    };
    const client = new NetworkClient({
      room,
      connect: wsLink(values.url ?? DEFAULT_URL, connectWs),
      ...(values.state ? { store: fileStore(values.state) } : {}),
      ...(values.record ? { recorder: new StepRecorder(values.record) } : {}),
      variant,
      ...(batch ? { batch: true } : {}),
    });
    let done: (code: number) => void = () => {};
    const finished = new Promise<number>((r) => (done = r));
    client.on((e) => {
      print(e);
      if (e.type === "left") setTimeout(() => done(0), 50);
    });
    const status = () => {
      const v = client.view;
      print({ type: "status", uid: client.uid, cursor: client.state?.cursor ?? null, epoch: v?.epoch ?? null, safetyNumber: v?.safetyNumber ?? null, members: v?.members ?? null, left: client.hasLeft });
    };
    process.on("SIGTERM", () => {
      client.stop();
      done(0);
    });
    const rl = createInterface({ input: process.stdin });
    rl.on("line", (line) => {
      const text = line.trim();
      if (!text) return;
      if (text === "/status") status();
      else if (text === "/leave") client.leave();
      else if (text === "/quit") {
        client.stop();
        done(0);
      } else client.send(text).catch((e: Error) => print({ type: "error", where: "send", message: e.message }));
    });
    rl.on("close", () => {
      // stdin closed: keep running (a client started in the background); SIGTERM stops it.
    });
    await client.start(); // a bad state file (exit 2) or a refusal at start, e.g. fenced (exit 1)
    const code = await finished;
    rl.close();
    return code;
  },
});
