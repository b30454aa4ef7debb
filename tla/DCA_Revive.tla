----------------------------- MODULE DCA_Revive -----------------------------
(***************************************************************************)
(* Blind spot 1 (spec/zombie.md, spec/reduction.md): a candidate rule for  *)
(* a dead room with live users, checked beside DCA.tla without changing it.*)
(*                                                                         *)
(* Today a room whose members have all left strands every live user: a     *)
(* joiner holding a Welcome whose DC left before the Add, and anyone who   *)
(* arrives later (tla/Gap_DeadRoom.cfg).  The candidate is the re-bootstrap*)
(* of spec/dca.md section 10, decided from local state alone:              *)
(*                                                                         *)
(*   Revive(u): a user that is not a member, has read the whole log, and   *)
(*   has seen every earlier user leave (ahead = {}) creates a new group    *)
(*   with itself as its only member, keeping the joiners it tracks (and    *)
(*   their removes); it is then the DC and adds them (R3, R10, R13).       *)
(*   It needs two more changes, each found by TLC (see VJoin and VRead).   *)
(*                                                                         *)
(* Why ahead = {} is enough, in argument (TLC checks it): members         *)
(* are added in arrival order (R11), so while u is not added every member  *)
(* arrived before u; u knows every user present when it arrived (VJoin)   *)
(* and has seen each of them leave, so no member is left.  The new group   *)
(* is the ground truth from then on: NoFork then fails if any live member *)
(* is still in the old one.                                                *)
(*                                                                         *)
(* Every other step is DCA's own.  Nothing here changes DCA.tla.          *)
(***************************************************************************)
EXTENDS DCA_Inputs

\* Which parts of the candidate are on: "Revive" (all three below),
\* "NoPresentList" (joiners rank every earlier user, as in DCA.tla),
\* "KeepStaleRemoves" (entering keeps every pending remove, as in DCA.tla),
\* "Today" (none of them: DCA.tla's rules).  The last three must fail.
CONSTANT Candidate
ASSUME Candidate \in {"Revive", "NoPresentList", "KeepStaleRemoves", "Today"}

CanRevive(u) ==
    /\ st[u].status = "active"
    /\ ~st[u].welcomed
    /\ st[u].cursor = Len(log)
    /\ st[u].ahead = {}

Revive(u) ==
    /\ Candidate # "Today"
    /\ CanRevive(u)
    /\ LET s == st[u]
       IN  Settle(log, [st EXCEPT ![u] =
                          [s EXCEPT !.welcomed       = TRUE,
                                    !.tentative      = NoWelcome,
                                    !.epoch          = 0,
                                    !.by             = u,
                                    !.members        = {u},
                                    \* joiners that left stay pending, to be
                                    \* added and removed as in DCA (R13): a
                                    \* member who read their `left` keeps it
                                    \* (TLC's third counterexample, 4 users)
                                    !.pendingRemoves = SelectSeq(s.pendingRemoves,
                                                         LAMBDA v : v \in Range(s.pendingAdds))]])
    /\ group' = [epoch |-> 0, by |-> u, members |-> {u}, removed |-> {}]
    /\ UNCHANGED nextUid

\* The second half of the candidate: the DS tells an arriving user who is
\* present (the users still active), so it ranks only those before it.  In
\* DCA.tla a joiner ranks every earlier user, including those who left
\* before it arrived -- whose `left` it never reads, so it could never know
\* the room is empty (TLC's first counterexample: user 1 leaves, user 2
\* arrives and waits forever).  Otherwise DCA's Join.
VJoin ==
    /\ nextUid <= Users
    /\ LET u == nextUid
           l == Append(log, [type |-> "joined", uid |-> u])
       IN  Settle(l, [st EXCEPT ![u] =
                        [Fresh EXCEPT !.status = "active",
                                      !.cursor = Len(l),
                                      !.ahead  = {v \in 1..(u - 1) :
                                                    st[v].status = "active"}]])
    /\ nextUid' = nextUid + 1
    /\ UNCHANGED group

\* The third half: a member entering a group drops the pending removes of
\* users ranked below every member of its Welcome.  In a group that was
\* never revived this drops nothing (a pending remove names a member, or a
\* pending joiner, who arrived after every member); in a revived group it
\* drops the users of the dead group, who will never be members (TLC's
\* second counterexample: a joiner that read `left 1` kept it pending in
\* the group user 2 revived, and nobody could remove user 1).
VRead(u) ==
    /\ st[u].status = "active"
    /\ st[u].cursor < Len(log)
    /\ LET s == [st[u] EXCEPT !.cursor = @ + 1]
           n == OnMessage(u, s, log[s.cursor])
           e == IF ~s.welcomed /\ n.welcomed
                THEN [n EXCEPT !.pendingRemoves =
                                 SelectSeq(@, LAMBDA v : v >= Min(n.members))]
                ELSE n
       IN  Settle(log, [st EXCEPT ![u] = e])
    /\ UNCHANGED <<nextUid, group>>

VNext ==
    \/ IF Candidate \in {"Revive", "KeepStaleRemoves"} THEN VJoin ELSE Join
    \/ \E u \in Uids :
          \/ Leave(u) \/ DcStep(u) \/ Revive(u)
          \/ IF Candidate \in {"Revive", "NoPresentList"} THEN VRead(u) ELSE Read(u)
    \/ AllGone
VSpec == Init /\ [][VNext]_vars

\* Reviving is work: a state where a user could still revive is not quiescent.
VQuiescent == Quiescent /\ \A u \in Uids : ~(CanRevive(u) /\ Candidate # "Today")

\* The quiescent properties, with reviving counted as work.
VQuiescentNotStranded   == VQuiescent /\ Active # {} => ~GroupDead
VQuiescentEqualEpochs   ==
    VQuiescent /\ ~GroupDead =>
        \A u, v \in Confirmed : st[u].epoch = st[v].epoch /\ st[u].by = st[v].by
VQuiescentAllWelcomed   == VQuiescent /\ ~GroupDead => Active = Confirmed
VQuiescentConverged     == VQuiescent => GroupDead \/ Converged
VQuiescentSomeDc        == VQuiescent /\ ~GroupDead => \E u \in Confirmed : Believes(u)
=============================================================================
