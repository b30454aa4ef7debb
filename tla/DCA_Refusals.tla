----------------------------- MODULE DCA_Refusals -----------------------------
(***************************************************************************)
(* A delivery service that forges any field of any entry that MLS or the   *)
(* member's own checks bind (spec/welcome-auth.md section 5): the reader   *)
(* refuses the entry, and a refused entry is as if not received -- the     *)
(* member moves past it and nothing else about it changes (spec/dca.md     *)
(* section 9, "Bad input").  So the whole power such a forgery gives the   *)
(* DS is to make any member skip any entry: Refuse(u).  (The               *)
(* implementation may then refuse later entries too, e.g. every `joined`   *)
(* after a refused one; those are more Refuse steps, so this over-         *)
(* approximates it.)                                                       *)
(*                                                                         *)
(* What is claimed, and checked: such refusals never make two members      *)
(* believe they are the DC (AtMostOneBelievesDc).  They do break the       *)
(* properties that speak of the group's progress: a member that skipped a  *)
(* Commit stays behind (NoFork), and if it comes first in the ranking it   *)
(* commits in its stale epoch, which every other member refuses            *)
(* (CommitsFromBelievedDc) -- denial of service, out of scope.             *)
(*                                                                         *)
(* RefusalRule picks what a refusal of a `joined v` (a garbled KeyPackage) *)
(* does (spec/welcome-auth.md section 5, R16):                             *)
(*   "Silent" - the rule of R15 alone: as if not received.  The refuser    *)
(*              does not know v, so as DC it adds later arrivals before v  *)
(*              (against R11); once the users present at v's arrival have  *)
(*              left, v revives apart while a later arrival is DC of the   *)
(*              old group: two DCs (tla/Gap_RefusalSplit.cfg, must fail).  *)
(*   "Skip"   - the refuser still counts v as a pending joiner, in arrival *)
(*              order, but one it can never add: as DC it skips v (R16's   *)
(*              DcSkip, `skipped v`) instead of welcoming it.  v, reading  *)
(*              `skipped v`, knows it was refused and never revives (it    *)
(*              stops, or arrives again as a new user); so does a user     *)
(*              that refused any entry before it was welcomed: it cannot   *)
(*              know the entry was not its own `skipped`.                  *)
(*                                                                         *)
(* Every other step is DCA's own; nothing here changes DCA.tla.  The       *)
(* configurations of "Skip" substitute RLeftBeforeAdded for DCA's          *)
(* LeftBeforeAdded, the one place where R16 decides to skip.               *)
(***************************************************************************)
EXTENDS DCA_Inputs

CONSTANT RefusalRule
ASSUME RefusalRule \in {"Silent", "Skip"}

VARIABLES
    refusedJoins,  \* refusedJoins[u]: the joiners whose `joined` u refused
    stopped        \* users that know, or cannot rule out, that they were refused

rvars == <<vars, refusedJoins, stopped>>

\* R16's condition to skip, with "Skip": a joiner that left, or whose
\* `joined` the DC refused.  (Written out rather than calling DCA's, which
\* the configuration replaces by this.)
RLeftBeforeAdded(d, t) ==
    /\ Variant # "NoSkip"
    /\ t \in Range(st[d].pendingRemoves) \cup refusedJoins[d]

\* u refuses the next entry: it moves past it, its state otherwise
\* unchanged -- but with "Skip", a refused `joined v` still makes v a pending
\* joiner of u, one it will skip, and a user not yet welcomed stops.
Refuse(u) ==
    /\ st[u].status = "active"
    /\ HasNext(u)
    /\ LET m == NextEntry(u)
           s == [st[u] EXCEPT !.cursor = @ + 1]
           joined == RefusalRule = "Skip" /\ m.type = "joined"
       IN  /\ Settle(log, [st EXCEPT ![u] =
                            IF joined THEN [s EXCEPT !.pendingAdds = Append(@, m.uid)]
                            ELSE s])
           /\ refusedJoins' = IF joined
                              THEN [refusedJoins EXCEPT ![u] = @ \cup {m.uid}]
                              ELSE refusedJoins
           /\ stopped' = IF RefusalRule = "Skip" /\ ~st[u].welcomed
                         THEN stopped \cup {u} ELSE stopped
    /\ UNCHANGED <<nextUid, group>>

\* With "Skip", a user reading `skipped` about itself knows it was refused.
ReadOwnSkip(u) ==
    /\ Read(u)
    /\ stopped' = IF /\ RefusalRule = "Skip"
                     /\ NextEntry(u).type = "skipped" /\ NextEntry(u).uid = u
                  THEN stopped \cup {u} ELSE stopped
    /\ UNCHANGED refusedJoins

RInit == Init /\ refusedJoins = [u \in Uids |-> {}] /\ stopped = {}

\* DCA's Next, with reads that may stop their reader, and no revive by a
\* stopped user.  A user that leaves is forgotten (DCA resets its state to
\* Gone, a state-space reduction; these two variables follow).
RNext ==
    \/ \E u \in Uids : ReadOwnSkip(u)
    \/ \E u \in Uids : /\ Leave(u)
                      /\ refusedJoins' = [refusedJoins EXCEPT ![u] = {}]
                      /\ stopped' = stopped \ {u}
    \/ /\ \/ Join \/ AllGone
          \/ \E u \in Uids : DcStep(u) /\ ~(u \in stopped /\ Revive(u))
       /\ UNCHANGED <<refusedJoins, stopped>>
    \/ \E u \in Uids : Refuse(u)

RSpec == RInit /\ [][RNext]_rvars

RefusalsTypeOK ==
    /\ refusedJoins \in [Uids -> SUBSET Uids]
    /\ stopped \subseteq Uids
=============================================================================
