---------------------------- MODULE DCA_Reduced ----------------------------
(***************************************************************************)
(* The model of tla/DCA.tla with fewer interleavings, for large bounds.    *)
(*                                                                         *)
(* Nothing here is a rule of the algorithm: every step of RSpec is a step  *)
(* of DCA!Spec (RNext implies Next), taken with DCA's own actions.  What   *)
(* changes is which steps are explored.  A read that cannot matter to      *)
(* anyone else right now -- an "eager" read -- is taken at once, before    *)
(* any other step, one at a time in UID order; every other step keeps all  *)
(* its interleavings.  spec/reduction.md argues why no violation of the    *)
(* properties checked here can hide in the interleavings left out, and     *)
(* test/reduced-model.test.ts cross-checks it against the full model at 3  *)
(* and 4 users (same caught-up states, same Commit steps, every known-bad  *)
(* variant caught by the same property).                                   *)
(*                                                                         *)
(* Liveness is checked here in its invariant form (spec/reduction.md):     *)
(* every non-stuttering step raises Rank, so every fair behaviour ends in  *)
(* a quiescent state, and the two liveness properties of DCA hold iff      *)
(* their quiescent-state forms do.                                         *)
(***************************************************************************)
EXTENDS DCA_Inputs, Integers

(***************************************************************************)
(* Which reads are eager.                                                  *)
(***************************************************************************)

\* What Read(u) would make of u's state.
AfterRead(u) ==
    LET s == [st[u] EXCEPT !.cursor = @ + 1]
    IN  OnMessage(u, s, log[s.cursor])

\* Believes, of a state value rather than of st[u].
BelievesIn(s) ==
    /\ s.status = "active"
    /\ s.welcomed \/ Variant = "DcLowestAlive"
    /\ s.ahead = {}

\* The entry u reads next passes the checks the implementation makes of its
\* input (DCA_Inputs); one that fails them is never read eagerly, so the
\* state where it stands at u's cursor is explored like any other.
InputOK(u) ==
    LET m == NextEntry(u)
    IN  /\ m.type = "left" =>
               /\ m.uid # u
               /\ m.uid \notin Range(st[u].pendingRemoves)
               /\ m.uid \in KnownUsers(u)
        /\ m.type = "joined" =>
               /\ m.uid = LastArrival(u) + 1
               /\ m.uid \notin KnownUsers(u) \cup Range(st[u].pendingRemoves) \cup {u}

\* A Commit the reader is a member for and neither applies nor skips: MLS
\* would refuse it.
RefusedCommit(u) ==
    LET m == NextEntry(u)
    IN  IsCommit(m) /\ st[u].welcomed /\ CommitOutcome(u, st[u], m) = "reject"

\* An eager read: u is active with an entry to read, and either the read
\* changes nothing but u's cursor (its own Welcome or Commit, a Welcome for
\* someone else, ...), or u has no DC step to choose instead and the read
\* neither changes whether u believes it is the DC, nor lets u enter the
\* group, nor is refused.
Eager(u) ==
    /\ st[u].status = "active"
    /\ HasNext(u)
    /\ LET s2 == AfterRead(u)
       IN  \/ s2 = [st[u] EXCEPT !.cursor = @ + 1]
           \/ /\ ~HasWork(u)
              /\ InputOK(u)
              /\ ~RefusedCommit(u)
              /\ s2.welcomed = st[u].welcomed
              /\ BelievesIn(s2) = BelievesIn(st[u])

EagerUsers == {u \in Uids : Eager(u)}

RNext == IF EagerUsers # {} THEN Read(Min(EagerUsers)) ELSE Next

RSpec == Init /\ [][RNext]_vars

(***************************************************************************)
(* Liveness as invariants of quiescent states.                             *)
(***************************************************************************)

\* The form of DCA!JoinerEventuallyWelcomed at the end of a behaviour: in a
\* quiescent live group every active user is welcomed.  (This is
\* QuiescentAllWelcomed; named again so the configurations say which
\* liveness property it stands for.)
QuiescentJoinersWelcomed == Quiescent /\ ~GroupDead => Active = Confirmed

\* The form of DCA!EventuallyConverged.
QuiescentConverged == Quiescent => GroupDead \/ Converged

\* In a quiescent live group some welcomed member believes it is the DC.
QuiescentSomeDc == Quiescent /\ ~GroupDead => \E u \in Confirmed : Believes(u)

(***************************************************************************)
(* The rank: every step but stuttering raises it, in lexicographic order,  *)
(* so no behaviour of the model has a cycle other than stuttering.  Reads  *)
(* are counted as entries still unread by active users.                    *)
(***************************************************************************)
RECURSIVE SumOf(_, _)
SumOf(f(_), S) ==
    IF S = {} THEN 0
    ELSE LET x == CHOOSE y \in S : TRUE IN f(x) + SumOf(f, S \ {x})

UnreadCount == SumOf(LAMBDA u : Len(log) - st[u].cursor, Active)
GoneCount   == Cardinality({u \in Uids : st[u].status = "gone"})
MidAdd      == Cardinality({u \in Active : st[u].adding # NoUid})

\* The rank as a tuple, greatest weight first.  Unread entries count down.
Rank == <<nextUid, GoneCount, group.epoch, MidAdd, -UnreadCount>>

RECURSIVE LexLess(_, _, _)
LexLess(a, b, i) ==
    IF i > Len(a) THEN FALSE
    ELSE IF a[i] < b[i] THEN TRUE
    ELSE IF a[i] > b[i] THEN FALSE
    ELSE LexLess(a, b, i + 1)

\* Checked as a step property: the rank rises at every step that changes
\* the state.  (Not in the AddBeforeWelcome variant, whose late Welcome
\* ends an add without a new epoch.)
RankRises == [][LexLess(Rank, Rank', 1)]_vars
=============================================================================
