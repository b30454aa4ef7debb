-------------------------- MODULE DCA_ForgedWelcome --------------------------
(***************************************************************************)
(* A delivery service that forges the `removes` list of a Welcome entry    *)
(* (spec/welcome-auth.md; spec/dca.md R7 and section 3).                   *)
(*                                                                         *)
(* In DCA.tla the DS is honest: a Welcome entry reaches its target as the  *)
(* DC appended it.  The `removes` list travels beside the MLS Welcome, and *)
(* a DS can change it: here, when the target reads a Welcome for itself,   *)
(* the DS may show it any other list instead (ForgedRead).  Only the       *)
(* target acts on a Welcome (OnWelcome ignores the others'), so this is    *)
(* the whole power of a DS over that field.  Its other fields (epoch,      *)
(* members, sender) are checked against the MLS Welcome already and are    *)
(* not forged here.                                                        *)
(*                                                                         *)
(* WelcomeRule picks the joiner's rule:                                    *)
(*   "Trusted"       - today's published rule: the joiner takes the list   *)
(*                     it is shown (R7).                                   *)
(*   "Authenticated" - the DC signs the list inside MLS (the GroupInfo it  *)
(*                     signs, spec/welcome-auth.md); a joiner refuses a    *)
(*                     Welcome whose list differs from the signed one,     *)
(*                     and a refused Welcome is as if not received.        *)
(*                                                                         *)
(* Every other step is DCA's own (same operators), so a rule change in     *)
(* DCA.tla flows in here.  Nothing here changes DCA.tla.                   *)
(***************************************************************************)
EXTENDS DCA_Inputs

CONSTANT WelcomeRule
ASSUME WelcomeRule \in {"Trusted", "Authenticated"}

VARIABLE refused   \* joiners that refused a forged Welcome (the DS denied them service)

fvars == <<vars, refused>>

\* The lists the DS may show instead of `real`: every set of UIDs, in
\* ascending order.  Which members a joiner ranks before itself depends on
\* the set alone (EnterGroup); the order only orders a DC's removes.
RECURSIVE Ascending(_)
Ascending(S) == IF S = {} THEN <<>> ELSE <<Min(S)>> \o Ascending(S \ {Min(S)})
ForgeableLists(real) == {Ascending(S) : S \in SUBSET Uids}

\* A weaker DS that can only empty the list (the case issue 16 names): a
\* configuration selects it with `ForgeableLists <- EmptiedList`.
EmptiedList(real) == {<<>>}

\* u reads a Welcome for itself whose `removes` the DS replaced by r.  A
\* Welcome for a member already welcomed is ignored whatever it says
\* (OnWelcome), so only a joiner's is worth forging.
ForgedRead(u) ==
    /\ st[u].status = "active"
    /\ ~st[u].welcomed
    /\ HasNext(u)
    /\ NextEntry(u).type = "welcome" /\ NextEntry(u).target = u
    /\ \E r \in ForgeableLists(NextEntry(u).removes) \ {NextEntry(u).removes} :
          LET s == [st[u] EXCEPT !.cursor = @ + 1]
              f == [NextEntry(u) EXCEPT !.removes = r]
          IN  IF WelcomeRule = "Trusted"
              THEN /\ Settle(log, [st EXCEPT ![u] = OnMessage(u, s, f)])
                   /\ UNCHANGED refused
              \* the signed list differs: refused, as if not received
              ELSE /\ Settle(log, [st EXCEPT ![u] = s])
                   /\ refused' = refused \cup {u}
    /\ UNCHANGED <<nextUid, group>>

FInit == Init /\ refused = {}

\* Every step of DCA's Next (so new actions there flow in), plus the forgery;
\* but a joiner that refused a Welcome for itself never revives the room
\* (spec/dca.md R15): the group may count it as a member.  Without this,
\* TLC finds such a joiner reviving alone while the members it ranks are
\* still in the old group (NoFork, 21 states at 3 users).
FNext ==
    \/ /\ Next /\ UNCHANGED refused
       /\ ~\E u \in refused : Revive(u)
    \/ \E u \in Uids : ForgedRead(u)

FSpec == FInit /\ [][FNext]_fvars

(***************************************************************************)
(* Properties.  DCA's safety invariants and step properties apply          *)
(* unchanged and must hold in every behaviour, forgeries included, and so  *)
(* does QuiescentEqualEpochs.  Three quiescent ones say what an honest     *)
(* DS's log leads to: a joiner that refused a forged Welcome is one the DS *)
(* denied service (it skips the Add of itself and waits, a member the      *)
(* group ranks but that never acts), and denial of service is out of      *)
(* scope (spec/dca.md section 3).  TLC finds them violated that way (9, 9  *)
(* and 21 states at 3 users), so they are restated for behaviours in which *)
(* no Welcome was refused.                                                 *)
(***************************************************************************)
RefusedOK == refused \subseteq Uids

\* Not a property: a check that forgeries happen at all under the rule (TLC
\* must find a state that violates it; test/welcome-removes-model.test.ts).
NoWelcomeRefused == refused = {}

FQuiescentNoPendings    == refused = {} => QuiescentNoPendings
FQuiescentAllWelcomed   == refused = {} => QuiescentAllWelcomed
FQuiescentWelcomesAdded == refused = {} => QuiescentWelcomesAdded

=============================================================================
