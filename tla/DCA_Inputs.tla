----------------------------- MODULE DCA_Inputs -----------------------------
(***************************************************************************)
(* Which delivery-service entries a member can expect (spec/dca.md R2 and  *)
(* sections 3 and 4).                                                      *)
(*                                                                         *)
(* The implementation refuses a `joined`, `left` or `skipped` entry that   *)
(* an honest DS could not have appended at that point of the member's      *)
(* reading (a replay, or a forged entry).  A refusal is sound only if no   *)
(* behaviour of the algorithm ever hands an active member such an entry:   *)
(* otherwise the check itself would make an honest member diverge.  The    *)
(* invariants below state exactly what impl/rules.ts checks                *)
(* (unexpectedArrival, unexpectedLeave, and SkippedIsExpected for R16's    *)
(* `skipped`), and TLC checks them in every reachable state                *)
(* (tla/MC_ci.cfg).  The departure and skip checks read the member's local *)
(* state and LastArrival; the arrival check reads LastArrival, which the   *)
(* model derives from its log and the implementation keeps as a counter    *)
(* (the conformance replay compares the two after every step).             *)
(*                                                                         *)
(* A separate module: it adds definitions only (no variable, no step), so  *)
(* the model itself, and the key of the long MC_full run, are untouched.   *)
(***************************************************************************)
EXTENDS DCA

\* The entry u reads next, if there is one.
HasNext(u)   == st[u].cursor < Len(log)
NextEntry(u) == log[st[u].cursor + 1]

\* The users u knows of: its view of the members, the joiners it tracks, and
\* those ranked before it.  Before its Welcome a joiner ranks every earlier
\* user before it (Join), so an unwelcomed member knows of everyone who
\* arrived before it.  (A member it has seen leave stays in its view of the
\* members until the Remove.)
KnownUsers(u) == st[u].members \cup Range(st[u].pendingAdds) \cup st[u].ahead

\* A `left v` the member reads is not about itself, nor about a user it has
\* already seen leave: the DS announces each departure once, for a user that
\* had not left (R2).
LeftNotRepeated ==
    \A u \in Active :
        HasNext(u) /\ NextEntry(u).type = "left" =>
            /\ NextEntry(u).uid # u
            /\ NextEntry(u).uid \notin Range(st[u].pendingRemoves)

\* A `left v` the member reads names a user it knows of.  Violated by the
\* known-bad variants WelcomeOutOfOrder and DcLowestAlive, whose members can
\* miss users; the implementation does not refuse unknown departures there.
LeftIsKnown ==
    \A u \in Active :
        HasNext(u) /\ NextEntry(u).type = "left" => NextEntry(u).uid \in KnownUsers(u)

\* The highest UID u has heard of: its own, or that of the last `joined`
\* entry it read.  Members read every `joined` after their own in log order,
\* and the DS numbers arrivals 1, 2, 3, ... (R2), so this is nextUid - 1
\* less the arrivals still unread.  The implementation keeps it as a
\* counter (impl/member.ts, lastArrival); the conformance replay compares
\* the two after every step.
Unread(u)      == SubSeq(log, st[u].cursor + 1, Len(log))
UnreadJoins(u) == Len(SelectSeq(Unread(u), LAMBDA m : m.type = "joined"))
LastArrival(u) == nextUid - 1 - UnreadJoins(u)

\* A `joined v` the member reads carries the next UID after the last one it
\* heard of: never a UID it knows, has seen leave, or its own.
JoinedIsNext ==
    \A u \in Active :
        HasNext(u) /\ NextEntry(u).type = "joined" =>
            LET v == NextEntry(u).uid
            IN  /\ v = LastArrival(u) + 1
                /\ v \notin KnownUsers(u) \cup Range(st[u].pendingRemoves) \cup {u}

\* A `skipped t` the member reads (R16) names a user that arrived (t is at
\* most the last arrival it heard of), not itself, never added (not among
\* its view of the members), and, if it tracks t as a pending joiner, among
\* its pending removes too: the DC read t's `left` before it skipped t, and
\* so, in log order, has the member.  A member that arrived after t left
\* knows nothing of t and drops nothing.  The implementation refuses a
\* `skipped` that fails this: a forged skip of a live joiner would make the
\* DC drop it, stranding it.  Violated by the known-bad WelcomeOutOfOrder,
\* whose DC adds a joiner that a later DC, having skipped that Add as a
\* joiner itself (R9), still tracks as pending and then skips (t is a
\* member): R16's premise is R11's arrival order.
SkippedIsExpected ==
    \A u \in Active :
        HasNext(u) /\ NextEntry(u).type = "skipped" =>
            LET t == NextEntry(u).uid
            IN  /\ t # u
                /\ t <= LastArrival(u)
                /\ t \notin st[u].members
                /\ t \in Range(st[u].pendingAdds) => t \in Range(st[u].pendingRemoves)

\* Sanity of LastArrival itself: every user has heard of itself and of all
\* it tracks.
LastArrivalCoversKnown ==
    \A u \in Active :
        /\ LastArrival(u) >= u
        /\ \A v \in KnownUsers(u) \cup Range(st[u].pendingRemoves) : v <= LastArrival(u)
=============================================================================
