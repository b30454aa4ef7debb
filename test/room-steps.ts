// Steps tests take on an in-process room again and again: a member reads to the end
// of the log, and DC 1 adds the next user while chosen members read along.
import type { Room } from "../impl/room.ts";

export async function catchUp(room: Room, uid: number): Promise<void> {
  while (room.state(uid).cursor < room.log.length) await room.read(uid);
}

/** Adds the next user with DC 1 and lets everyone in `readers`, and the new user, catch up. */
export async function addNext(room: Room, readers: number[]): Promise<number> {
  const u = await room.join();
  await catchUp(room, 1);
  await room.dcWelcome(1);
  room.dcAdd(1);
  for (const r of [...readers, u]) await catchUp(room, r);
  return u;
}
