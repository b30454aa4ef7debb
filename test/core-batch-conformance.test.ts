// The batched rules' traces (traces/batch/) replayed on the real client core with
// `batch: true` (impl/room.ts over impl/client/core.ts, real MLS;
// conformance/replay/core-batch-replay.ts): every step's mapped state equals the model's,
// the DC steps the core allows are the model's, MLS agrees — the code the network client
// runs, not only the reference room impl/batch.ts. Teeth: the core with batch-mates
// unranked (BatchRank "None") or all ranked ("All") diverges at the joiner's entry, at the
// field named (the cases are test/batch-replay-cases.ts's, shared with impl/batch.ts's test). Budget: 30 s (about 8 s measured here).
import { describe } from "vitest";
import { replayBatchAllOnCore } from "../conformance/replay/core-batch-replay.ts";
import { batchReplayCases } from "./batch-replay-cases.ts";

describe("the batched rules' traces on the client core (batch: true)", () => {
  // @spec DCA_Batch!BDcWelcome DCA_Batch!BDcAdd DCA_Batch!BDcRemove DCA_Batch!BDcSkip DCA_Batch!BEnterGroup
  batchReplayCases(replayBatchAllOnCore, 30_000);
});
