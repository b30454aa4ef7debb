---------------------------- MODULE DCA_Reduced ----------------------------
(***************************************************************************)
(* The model of tla/DCA.tla with fewer interleavings, for large bounds.    *)
(*                                                                         *)
(* Nothing here is a rule of the algorithm: every step of RSpec is a step  *)
(* of DCA!Spec, or a run of DCA Read steps followed by dropping log        *)
(* entries that no active user still to read them needs, made with DCA's  *)
(* own operators.  What changes is which interleavings are explored.       *)
(* Reads that nobody else can notice -- "eager" reads -- are all taken at  *)
(* once, before any other step; every other step keeps all its            *)
(* interleavings.                                                          *)
(* spec/reduction.md argues why no violation of the                        *)
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
(* Which reads are eager.  Written of a state value s of user u (not of    *)
(* st[u]) so that a user's whole run of eager reads can be computed in one *)
(* step.  BelievesIn and HasWorkIn restate DCA's Believes and HasWork of a *)
(* value; the invariants BelievesAgrees and HasWorkAgrees check that they  *)
(* say the same in every reachable state.                                  *)
(***************************************************************************)

BelievesIn(s) ==
    /\ s.status = "active"
    /\ s.welcomed \/ Variant = "DcLowestAlive"
    /\ s.ahead = {}

\* Reviving (DCA's CanRevive) needs the whole log read, so a user with a
\* read to take never has it: it leaves eager reads as they were, and a
\* reader's eager read cannot disable or enable another user's Revive.
HasWorkIn(s) ==
    /\ s.status = "active"
    /\ \/ s.adding # NoUid
       \/ BelievesIn(s) /\ s.pendingAdds # <<>>
       \/ BelievesIn(s) /\ s.pendingRemoves # <<>> /\ Variant # "IgnoreRemoves"
       \/ /\ Variant # "NoRevive" /\ ~s.welcomed
          /\ s.cursor = Len(log) /\ s.ahead = {}

BelievesAgrees == \A u \in Uids : Believes(u) = BelievesIn(st[u])
HasWorkAgrees  == \A u \in Uids : HasWork(u) = HasWorkIn(st[u])

\* The input checks of DCA_Inputs, of the entry m that u in state s reads
\* next.  An entry failing them is never read eagerly, so the state where
\* it stands at u's cursor is explored like any other.
InputOKIn(u, s, m) ==
    LET known == s.members \cup Range(s.pendingAdds) \cup s.ahead
        unread == SubSeq(log, s.cursor + 1, Len(log))
        lastArrival == nextUid - 1
                       - Len(SelectSeq(unread, LAMBDA e : e.type = "joined"))
    IN  /\ m.type = "left" =>
               /\ m.uid # u
               /\ m.uid \notin Range(s.pendingRemoves)
               /\ m.uid \in known
        /\ m.type = "joined" =>
               /\ m.uid = lastArrival + 1
               /\ m.uid \notin known \cup Range(s.pendingRemoves) \cup {u}
        /\ m.type = "skipped" =>                 \* SkippedIsExpected (R16)
               /\ m.uid # u
               /\ m.uid <= lastArrival
               /\ m.uid \notin s.members
               /\ m.uid \in Range(s.pendingAdds) => m.uid \in Range(s.pendingRemoves)

\* What reading m does to s (DCA's Read, on a value).
ReadIn(u, s, m) == OnMessage(u, [s EXCEPT !.cursor = @ + 1], m)

\* u in state s reads its next entry eagerly: either the read changes
\* nothing but the cursor (its own Welcome or Commit, a Welcome for someone
\* else, ...), or u has no DC step to choose instead and the read passes the
\* input checks, is not a Commit MLS would refuse, and does not change
\* whether u believes it is the DC.
\* A DC with work reads an announcement eagerly only when no DC step it
\* could take before reading it depends on it (spec/reduction.md):
\*  - a `joined` only adds a joiner behind the others, which no Welcome or
\*    Add it can make first depends on, unless a Remove could come first
\*    (DcRemove needs no pending adds) or any joiner may be taken;
\*  - a `left` only adds a pending remove, which no Commit depends on but a
\*    Welcome carries, so only when no Welcome can come first; and not the
\*    `left` of the joiner under way, which turns its Add into a skip (R16).
\* (With no pending remove, or no pending add, no DcSkip is enabled before
\* or after either read: R16 skips a joiner among both lists.)
DcReadCommutes(s, m) ==
    \/ /\ m.type = "joined"
       /\ s.pendingRemoves = <<>>
       /\ Variant # "WelcomeOutOfOrder"
    \/ /\ m.type = "left"
       /\ \/ s.adding = NoUid /\ s.pendingAdds = <<>>
          \/ /\ s.adding # NoUid /\ s.pendingAdds = <<s.adding>>
             /\ m.uid # s.adding
             /\ Variant # "AddBeforeWelcome"

EagerIn(u, s) ==
    /\ s.status = "active"
    /\ s.cursor < Len(log)
    /\ LET m  == log[s.cursor + 1]
           s2 == ReadIn(u, s, m)
       IN  \/ s2 = [s EXCEPT !.cursor = @ + 1]
           \/ /\ ~HasWorkIn(s) \/ DcReadCommutes(s, m)
              /\ InputOKIn(u, s, m)
              /\ ~(IsCommit(m) /\ s.welcomed /\ CommitOutcome(u, s, m) = "reject")
              /\ BelievesIn(s2) = BelievesIn(s)

\* u's state after all the eager reads it has in a row.
RECURSIVE EagerRun(_, _)
EagerRun(u, s) ==
    IF EagerIn(u, s) THEN EagerRun(u, ReadIn(u, s, log[s.cursor + 1])) ELSE s

EagerPending == \E u \in Uids : EagerIn(u, st[u])

\* Every user's state after its eager reads, users 1..n, as a tuple.
RECURSIVE EagerAll(_)
EagerAll(n) == IF n = 0 THEN <<>> ELSE Append(EagerAll(n - 1), EagerRun(n, st[n]))

(***************************************************************************)
(* Dropping entries nobody still needs (spec/reduction.md, "Dropped       *)
(* entries").  An entry that changes nothing for every active user that    *)
(* has not read it yet -- whatever that user reads before it -- is dropped *)
(* at once, as Settle drops the prefix everyone has read.  Such a read is  *)
(* eager anyway (it changes only the cursor), so this merges states that   *)
(* differ only in where, among the entries a lagging DC has still to read, *)
(* its own Welcomes and Commits stand.                                     *)
(***************************************************************************)

\* m is addressed to u: its Welcome, or the Add of u.
ForUser(u, m) == m.type \in {"welcome", "add"} /\ m.target = u

\* Entry i of l changes nothing for u, in state s with its cursor before i,
\* whatever u reads before it (DCA's OnMessage):
\*  - a Welcome for someone else, or for a u already welcomed (OnWelcome);
\*  - a Commit u made, once u is welcomed (CommitOutcome: "skip");
\*  - a `skipped t` u appended (R16): u dropped t from both its lists when
\*    it appended it, after reading t's `joined` and `left`, and only
\*    those entries put t there, so t is in neither when u reads it;
\*  - any Commit, for a u not welcomed that nothing up to i is addressed to:
\*    u is still not welcomed there and the Commit confirms nothing (OnCommit).
\* Welcomed never reverts, and only reads of entries addressed to u welcome
\* it (or DCA's Revive, R15, which needs the whole log read, entry i too),
\* so this holds until u reads entry i.
NoOpAhead(l, u, s, i) ==
    LET m == l[i] IN
    CASE m.type = "welcome" -> m.target # u \/ s.welcomed
      [] IsCommit(m)        -> IF s.welcomed THEN m.sender = u
                               ELSE \A j \in (s.cursor + 1)..i : ~ForUser(u, l[j])
      [] m.type = "skipped" -> m.sender = u
      [] OTHER              -> FALSE

\* Entry i of l is needed by no active user (of states s) still to read it.
DroppableIn(l, s, i) ==
    \A u \in Uids : s[u].status = "active" /\ s[u].cursor < i => NoOpAhead(l, u, s[u], i)

\* Whether each entry of l is kept, as a tuple of booleans.  (Built by
\* recursion, like EagerAll below, so that TLC computes it once: a set or
\* function written with a bound variable would be evaluated again at
\* every use.)
RECURSIVE KeptFlags(_, _, _)
KeptFlags(l, s, n) ==
    IF n = 0 THEN <<>> ELSE Append(KeptFlags(l, s, n - 1), ~DroppableIn(l, s, n))

\* The entries of l whose flag in f is set, in order.
RECURSIVE KeptFrom(_, _, _)
KeptFrom(l, f, i) ==
    IF i > Len(l) THEN <<>>
    ELSE IF f[i] THEN <<l[i]>> \o KeptFrom(l, f, i + 1)
    ELSE KeptFrom(l, f, i + 1)

\* Install log l and states s without their droppable entries (cursors
\* shifted to count only the entries kept), then Settle as DCA does.
Compact(l, s) ==
    LET f == KeptFlags(l, s, Len(l))
    IN  Settle(KeptFrom(l, f, 1),
               [u \in Uids |-> IF s[u].status = "active"
                              THEN [s[u] EXCEPT !.cursor = Cardinality({i \in 1..@ : f[i]})]
                              ELSE s[u]])

DropPending == \E i \in DOMAIN log : DroppableIn(log, st, i)

\* Every user takes all its eager reads, in one step: a sequence of DCA
\* Read steps, which commute (each changes only its reader's state).  Then
\* the entries nobody still needs are dropped.
ReadEager ==
    /\ EagerPending \/ DropPending
    /\ Compact(log, EagerAll(Users))
    /\ UNCHANGED <<nextUid, group>>

RNext == IF EagerPending \/ DropPending THEN ReadEager ELSE Next

RSpec == Init /\ [][RNext]_vars

(***************************************************************************)
(* Liveness as invariants of quiescent states.                             *)
(***************************************************************************)

\* The form of DCA!JoinerEventuallyWelcomed at the end of a behaviour: at
\* quiescence every active user is welcomed.  (This is
\* QuiescentAllWelcomed; named again so the configurations say which
\* liveness property it stands for.)
QuiescentJoinersWelcomed == Quiescent => Active = Confirmed

\* The form of DCA!EventuallyConverged.
QuiescentConverged == Quiescent => Deserted \/ Converged

\* QuiescentSomeDc and QuiescentNotStranded (blind spot 1, closed by R15)
\* are DCA's own.

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
\* Revive (R15) sets the epoch back to 0 but welcomes its user; only a
\* Leave (GoneCount) ever makes a member stop counting here.
WelcomedCount == Cardinality(Confirmed)
\* Joiners each active user has heard of (read the `joined` of: UIDs above
\* its own up to LastArrival) and no longer tracks as pending: added, or
\* skipped (R16).  Reading a `joined` adds one heard-of and one pending, so
\* reads never lower it; DcSkip raises it (the skipping DC drops the
\* joiner), as does applying an Add.  It lets DcSkip, which appends an
\* entry and may end an add under way, raise the rank.
ResolvedCount == SumOf(LAMBDA u : LastArrival(u) - u - Len(st[u].pendingAdds), Active)

\* The rank as a tuple, greatest weight first.  Unread entries count down.
Rank == <<nextUid, GoneCount, WelcomedCount, group.epoch, ResolvedCount,
          MidAdd, -UnreadCount>>

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
