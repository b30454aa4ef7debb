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
\* user, which then has no step but reading on to its own `left`.  ZDc(u, A)
\* is the rule around one DC step A of u (DCA_ZombieRecord names each one).
ZDc(u, A) ==
    /\ ZombieRule = "Fence" => u \notin announced
    /\ A
    /\ UNCHANGED announced

ZDcStep(u) == ZDc(u, DcStep(u))

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

(***************************************************************************)
(* Refinement (spec/zombie.md, "Fencing checked as a refinement").  To     *)
(* everyone but the zombie, an announced user has left: its announcement   *)
(* is DCA's Leave, and what it does afterwards must be invisible.  The     *)
(* mapping below shows the fenced model as DCA: an announced user is Gone, *)
(* and the log is cut where DCA's Settle would cut it, at the least cursor *)
(* of the users DCA still counts (a zombie, reading behind them, keeps     *)
(* entries on this module's log that DCA has dropped).  Then               *)
(*   Announce(u)            is DCA's Leave(u),                             *)
(*   a zombie's reads, Stop  are stuttering steps (nothing DCA sees moves), *)
(*   ZJoin, ZLeave, the others' reads and DC steps are DCA's own.          *)
(* Abs!Spec holds of every behaviour of ZSpec exactly when no zombie step  *)
(* is visible: with ZombieRule = "None" a zombie's Welcome or Commit is a  *)
(* step DCA cannot take (Gap_ZombieRefines.cfg must fail).  So every DCA   *)
(* property checked at any bound holds here for the users the others      *)
(* still count, and only this refinement needs checking at small bounds.  *)
(***************************************************************************)
Counted   == Active \ announced       \* the users DCA still counts
AbsCut    == IF Counted = {} THEN Len(log)
             ELSE Min({st[u].cursor : u \in Counted})
AbsLog    == SubSeq(log, AbsCut + 1, Len(log))
AbsSt     == LET k == AbsCut   \* once, not once per user
                 c == Counted
             IN  [u \in Uids |->
                    IF u \in announced THEN Gone
                    ELSE IF u \in c THEN [st[u] EXCEPT !.cursor = @ - k]
                    ELSE st[u]]

Abs == INSTANCE DCA WITH log <- AbsLog, st <- AbsSt,
                         nextUid <- nextUid, group <- group

\* The fenced model refines DCA (checked as a PROPERTY: TLC checks the
\* initial predicate and [][Abs!Next]_Abs!vars on every step).
RefinesDCA == Abs!Spec

(***************************************************************************)
(* Liveness.  Every user keeps taking its own steps while it has one; a    *)
(* zombie's are its reads and, once its own `left` is next, stopping       *)
(* (spec/zombie.md).  Under this fairness the zombie stops, and the users  *)
(* DCA counts have DCA's fairness and liveness (MC_fence_liveness.cfg).   *)
(***************************************************************************)
StopAtOwnLeft(u) == OwnLeftNext(u) /\ Stop(u)

ZFairness == \A u \in Uids : WF_zvars(ZRead(u) \/ ZDcStep(u) \/ StopAtOwnLeft(u))

ZFairSpec == ZSpec /\ ZFairness

\* An announced user reads on to its own `left` and stops.
ZombieStops == \A u \in Uids : u \in announced ~> st[u].status = "gone"

\* DCA's fairness and liveness, of the mapped behaviour.
RefinesFairDCA       == Abs!FairSpec
AbsJoinerWelcomed    == Abs!JoinerEventuallyWelcomed
AbsConverged         == Abs!EventuallyConverged
=============================================================================
