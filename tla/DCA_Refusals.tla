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
(* Every other step is DCA's own; nothing here changes DCA.tla.            *)
(***************************************************************************)
EXTENDS DCA_Inputs

\* u refuses the next entry: it moves past it, its state otherwise unchanged.
Refuse(u) ==
    /\ st[u].status = "active"
    /\ HasNext(u)
    /\ Settle(log, [st EXCEPT ![u].cursor = @ + 1])
    /\ UNCHANGED <<nextUid, group>>

RNext == Next \/ \E u \in Uids : Refuse(u)

RSpec == Init /\ [][RNext]_vars
=============================================================================
