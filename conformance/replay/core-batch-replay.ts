// Replays the batched rules' traces (traces/batch/) on the real client core with
// `batch: true` (impl/room.ts over impl/client/core.ts, real MLS): the core the network
// client runs, where conformance/replay/batch-replay.ts replays them on the reference
// room impl/batch.ts. The loop, the checks after every step (mapped state, enabled DC
// steps, MLS epochs, membership and safety numbers) and the report are batch-replay.ts's
// (replayBatchOn, replayBatchFiles); what this file states is the difference: the room
// stepped is a Room of client cores, and how its state reads as the batched mapping's.

import { Room, type RoomOptions } from "../../impl/room.ts";
import type { ItfTrace } from "../../scripts/tlc/formats/itf.ts";
import { coreEntryToBatch, coreMemberToBatch } from "../model/batch-refinement.ts";
import { replayBatchFiles, replayBatchOn, type BatchReplayReport, type BatchReplayRoom, type BatchSuiteResult, type RoomSnapshot } from "./batch-replay.ts";

/** The core room's switches a replay may set: the known-bad tie-breaks (tests' teeth). */
export type CoreBatchRoomOptions = Pick<RoomOptions, "batchRank">;

/** The core room's state (batch: true) as the batched refinement mapping reads it. */
export function coreBatchSnapshot(room: Room): RoomSnapshot {
  const members = new Map(room.uids().map((u) => [u, coreMemberToBatch(room.state(u))]));
  return { log: room.log.map(coreEntryToBatch), revivals: room.revivals, nextUid: room.nextUid, members };
}

/** A core Room (batch: true) as the batched replay steps it. */
export function coreReplayRoom(room: Room): BatchReplayRoom {
  return {
    steps: room,
    arrive: () => room.join(),
    read: async (u) => {
      const out = await room.read(u);
      if (out.kind === "rejected") throw out.error;
    },
    snapshot: () => coreBatchSnapshot(room),
  };
}

/** Replays the trace on the core room (batch: true); a TraceError before any step, a BatchConformanceError at the first divergence. */
export function replayBatchOnCore(trace: ItfTrace, opts: { file: string; room?: CoreBatchRoomOptions }): Promise<BatchReplayReport> {
  return replayBatchOn(trace, opts, async () => coreReplayRoom(await Room.create({ ...opts.room, batch: true })));
}

/** Replays every file on the core room; collects divergences instead of stopping (bad input still throws). */
export function replayBatchAllOnCore(files: string[], opts: { room?: CoreBatchRoomOptions } = {}): Promise<BatchSuiteResult> {
  return replayBatchFiles(files, (trace, file) => replayBatchOnCore(trace, { file, ...(opts.room ? { room: opts.room } : {}) }));
}
