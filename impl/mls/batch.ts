// Batched Commits (spec/batching.md section 2): one Commit with an Add proposal per
// joiner and one Welcome for all of them, or one Commit with a Remove proposal per
// departed member. RFC 9420 allows any number of Add and Remove proposals in a Commit
// (section 12.4); ts-mls makes one Welcome holding a group secret for each new
// member's KeyPackage. One part of the MLS facade; impl/mls.ts re-exports its public names.

import { MlsUsageError, inputError } from "./errors.ts";
import { checkUidArgument, leafUids } from "./credentials.ts";
import { commitAdds, commitWith, decodeKeyPackage } from "./group.ts";
import { activeGroup, ctxRecord, type MlsContext, type MlsGroup } from "./handles.ts";

/**
 * The committer adds the owners of `keyPackages` (at least one, distinct UIDs, none a
 * member) in one Commit. Returns the committer's next-epoch group, the Commit, the one
 * Welcome for every joiner (with the ratchet tree) and the UIDs added, in the order
 * given. With `removes` the Welcome's GroupInfo carries them, signed (as commitAdd).
 * Retires the input handle on success.
 */
export async function commitAddMany(
  ctx: MlsContext,
  group: MlsGroup,
  keyPackages: readonly Uint8Array[],
  opts: { removes?: readonly number[] } = {},
): Promise<{ group: MlsGroup; commit: Uint8Array; welcome: Uint8Array; addedUids: number[] }> {
  const { impl } = ctxRecord(ctx);
  const r = activeGroup(group, "commitAddMany");
  if (keyPackages.length === 0) throw new MlsUsageError("commitAddMany: no KeyPackage to add");
  const decoded = keyPackages.map((bytes, i) => {
    try {
      return decodeKeyPackage(bytes);
    } catch (e) {
      if (e instanceof Error) e.message = `KeyPackage ${i + 1} of ${keyPackages.length}: ${e.message}`;
      throw e;
    }
  });
  const addedUids = decoded.map((d) => d.uid);
  const members = new Set(leafUids(r.state.ratchetTree, "commitAddMany").values());
  const member = addedUids.find((uid) => members.has(uid));
  if (member !== undefined) throw inputError("already-member", `KeyPackage: UID ${member} is already a member`);
  const twice = addedUids.find((uid, i) => addedUids.indexOf(uid) !== i);
  if (twice !== undefined) throw new MlsUsageError(`commitAddMany: UID ${twice} is listed twice`);
  const made = await commitAdds(impl, r, decoded.map((d) => d.keyPackage), "commitAddMany", opts.removes);
  return { ...made, addedUids };
}

/**
 * The committer removes the members `uids` (at least one, distinct, not itself) in one
 * Commit ("unknown-member" if one is absent). Retires the input handle on success.
 */
export async function commitRemoveMany(
  ctx: MlsContext,
  group: MlsGroup,
  uids: readonly number[],
): Promise<{ group: MlsGroup; commit: Uint8Array }> {
  const { impl } = ctxRecord(ctx);
  const r = activeGroup(group, "commitRemoveMany");
  if (uids.length === 0) throw new MlsUsageError("commitRemoveMany: no member to remove");
  for (const uid of uids) checkUidArgument(uid, "commitRemoveMany");
  const twice = uids.find((uid, i) => uids.indexOf(uid) !== i);
  if (twice !== undefined) throw new MlsUsageError(`commitRemoveMany: UID ${twice} is listed twice`);
  if (uids.includes(r.uid)) throw new MlsUsageError("commitRemoveMany: a member cannot remove itself with its own Commit");
  const leaves = [...leafUids(r.state.ratchetTree, "commitRemoveMany")];
  const proposals = uids.map((uid) => {
    const leaf = leaves.find(([, u]) => u === uid)?.[0];
    if (leaf === undefined) throw inputError("unknown-member", `commitRemoveMany: UID ${uid} is not a member`);
    return { proposalType: "remove" as const, remove: { removed: leaf } };
  });
  const made = await commitWith(impl, r, proposals, "commitRemoveMany", "commitRemoveMany");
  return { group: made.group, commit: made.commit };
}
