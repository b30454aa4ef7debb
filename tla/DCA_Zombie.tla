----------------------------- MODULE DCA_Zombie -----------------------------
(***************************************************************************)
(* Blind spot 2 (spec/zombie.md): a user announced as left while it is     *)
(* still alive.                                                            *)
(*                                                                         *)
(* DCA.tla makes a crash and its announcement one step (Leave).  A real   *)
(* delivery service also announces users that are alive -- a heartbeat     *)
(* time-out, a dropped connection -- and such a user keeps running until   *)
(* it reads its own `left`.  This module splits the two: Announce(u)       *)
(* appends `left u` while u stays active; Stop(u) is u stopping (it reads  *)
(* its own `left`, or crashes) afterwards.  Until then u can still take    *)
(* its DC steps: a "zombie" DC whose Welcome or Commit lands on the log    *)
(* after its own `left`.                                                   *)
(*                                                                         *)
(* Every other step is DCA's own (same operators, same rules), so a rule   *)
(* change in DCA.tla flows in here.  Nothing here changes DCA.tla.        *)
(*                                                                         *)
(* ZombieRule picks the rule under test:                                   *)
(*   "None"  - today's rules: the DS appends whatever a user sends.        *)
(*   "Fence" - the DS refuses every append of a user after its `left`      *)
(*             (the user is fenced; spec/zombie.md, proposed for R2/R5).  *)
(***************************************************************************)
EXTENDS DCA_Inputs

CONSTANT ZombieRule
ASSUME ZombieRule \in {"None", "Fence"}

VARIABLE announced   \* users whose `left` is on the log but who still run

zvars == <<log, st, nextUid, group, announced>>

\* The DS announces a live user as left (time-out).  It keeps running.
Announce(u) ==
    /\ st[u].status = "active"
    /\ u \notin announced
    /\ Settle(Append(log, [type |-> "left", uid |-> u]), st)
    /\ announced' = announced \cup {u}
    /\ UNCHANGED <<nextUid, group>>

\* An announced user stops: it reached its own `left`, or crashed first.
Stop(u) ==
    /\ u \in announced
    /\ st[u].status = "active"
    /\ Settle(log, [st EXCEPT ![u] = Gone])
    /\ announced' = announced \ {u}
    /\ UNCHANGED <<nextUid, group>>

OwnLeftNext(u) ==
    HasNext(u) /\ NextEntry(u) = [type |-> "left", uid |-> u]

\* Reading: DCA's Read, except that one's own `left` stops one (Stop).
ZRead(u) ==
    /\ ~OwnLeftNext(u)
    /\ Read(u)
    /\ UNCHANGED announced

\* DCA's Leave (a crash announced at once), for users not announced yet.
ZLeave(u) ==
    /\ u \notin announced
    /\ Leave(u)
    /\ UNCHANGED announced

\* The DC's steps.  Under "Fence" the DS refuses the append of an announced
\* user, which then has no step but reading on to its own `left`.
ZDcStep(u) ==
    /\ ZombieRule = "Fence" => u \notin announced
    /\ DcStep(u)
    /\ UNCHANGED announced

\* DCA's Join, except that the DS's list of the users present (R2, R15)
\* leaves out those it has announced as left: to the DS they have left.
\* (With DCA's list, an arrival would rank a zombie whose `left` it never
\* reads, and could never revive the room once the zombie stops.)
ZJoin ==
    /\ nextUid <= Users
    /\ LET u == nextUid
           l == Append(log, [type |-> "joined", uid |-> u])
           present == IF Variant = "NoPresentList" THEN 1..(u - 1)
                      ELSE Active \ announced
       IN  Settle(l, [st EXCEPT ![u] = [Fresh EXCEPT !.status = "active",
                                                     !.cursor = Len(l),
                                                     !.ahead  = present]])
    /\ nextUid' = nextUid + 1
    /\ UNCHANGED <<group, announced>>

ZInit == Init /\ announced = {}

ZNext ==
    \/ ZJoin
    \/ \E u \in Uids : ZLeave(u) \/ Announce(u) \/ Stop(u) \/ ZRead(u)
                       \/ ZDcStep(u)
    \/ AllGone /\ UNCHANGED announced

ZSpec == ZInit /\ [][ZNext]_zvars

(***************************************************************************)
(* Properties.  DCA's invariants and step properties apply unchanged, but  *)
(* some speak of every active user, and an announced user is still active: *)
(* it may still believe it is the DC, its own `left` is the one entry     *)
(* about itself that an honest DS appends, and after a revive (R15) it is *)
(* the one member left in the old group.  These restate them for the users *)
(* the others still count as present.                                      *)
(***************************************************************************)

\* At most one user not announced as left believes it is the DC.
AtMostOneLiveDc ==
    \A u, v \in Uids \ announced : Believes(u) /\ Believes(v) => u = v

\* LeftNotRepeated of DCA_Inputs, allowing an announced user its own `left`.
ZLeftNotRepeated ==
    \A u \in Active :
        HasNext(u) /\ NextEntry(u).type = "left" =>
            /\ NextEntry(u).uid = u => u \in announced
            /\ NextEntry(u).uid \notin Range(st[u].pendingRemoves)

\* LeftIsKnown of DCA_Inputs, allowing an announced user its own `left`.
ZLeftIsKnown ==
    \A u \in Active :
        HasNext(u) /\ NextEntry(u).type = "left" /\ ~OwnLeftNext(u) =>
            NextEntry(u).uid \in KnownUsers(u)

\* NoFork and ViewMatchesGroup of DCA, for the users not announced as left.
\* Since R15 (a dead room revives) the others may create a new group once
\* they have seen every member leave, while a fenced zombie, still running
\* until it reads its own `left`, stays in the old one: that is no fork, as
\* nobody counts the zombie any more and the fence keeps it from appending.
ZNoFork ==
    \A u \in Confirmed \ announced :
        LET r == Replay(u)
        IN  (r.epoch = group.epoch /\ r.by = group.by) \/ InFlightFor(u)

ZViewMatchesGroup ==
    \A u \in Confirmed \ announced :
        LET r == Replay(u)
        IN  (r.epoch = group.epoch /\ r.by = group.by)
               => r.members = group.members

\* What tells blind spot 2 apart: no Welcome or Commit is appended by a
\* user whose `left` is already on the log (a zombie's append).  A step that
\* appends grows the log by one entry (Settle drops nothing on an append).
ZombieAppend ==
    /\ Len(log') = Len(log) + 1
    /\ log'[Len(log')].type \in {"welcome", "add", "remove"}
    /\ log'[Len(log')].sender \in announced

NoZombieAppend == [][~ZombieAppend]_zvars
=============================================================================
