--------------------------- MODULE DCA_ZombieRecord ---------------------------
(***************************************************************************)
(* A recording wrapper around DCA_Zombie, for TRACE GENERATION ONLY        *)
(* (traces/zombie/, npm run traces:zombie), as DCA_Record.tla is for DCA:  *)
(* one more variable, `step`, holds the action just taken and its          *)
(* parameters, so that the implementation can replay the step (TLC labels *)
(* a step with its operator's name only).  The actions are DCA_Zombie's,   *)
(* named as the replay knows them: ZJoin is "Join", ZLeave "Leave", ZRead  *)
(* "Read", and ZDcStep is spelled out as DCA's DC steps of the Correct     *)
(* variant, each under the fence rule (ZDc); Announce and Stop keep their  *)
(* names.  Nothing checks a property on this module except the gap        *)
(* configuration that records Gap_Zombie's counterexample.                *)
(*                                                                         *)
(* Keep RecNext in step with ZNext: a DC step added to DCA!DcStep needs a  *)
(* disjunct here (npm run traces:zombie fails if a walk meets a state      *)
(* whose step is not recorded: TLC would report a deadlock or no step).    *)
(***************************************************************************)
EXTENDS DCA_Zombie

VARIABLE step    \* the action that produced this state, with its parameters

recVars == <<log, st, nextUid, group, announced, step>>

Appended == log'[Len(log')]
DcStepOf(d, name) == step' = [action |-> name, u |-> d, target |-> Appended.target]

RecInit == ZInit /\ step = [action |-> "Init"]

RecNext ==
    \/ ZJoin /\ step' = [action |-> "Join", u |-> nextUid]
    \/ \E u \in Uids :
        \/ ZLeave(u)   /\ step' = [action |-> "Leave", u |-> u]
        \/ Announce(u) /\ step' = [action |-> "Announce", u |-> u]
        \/ Stop(u)     /\ step' = [action |-> "Stop", u |-> u]
        \/ ZRead(u)    /\ step' = [action |-> "Read", u |-> u]
        \/ ZDc(u, DcWelcome(u)) /\ DcStepOf(u, "DcWelcome")
        \/ ZDc(u, DcAdd(u))     /\ DcStepOf(u, "DcAdd")
        \/ ZDc(u, DcRemove(u))  /\ DcStepOf(u, "DcRemove")
        \* R16: the skipped joiner is the appended entry's uid (it has no target).
        \/ ZDc(u, DcSkip(u))    /\ step' = [action |-> "DcSkip", u |-> u, target |-> Appended.uid]
        \/ ZDc(u, Revive(u))    /\ step' = [action |-> "Revive", u |-> u]
    \/ AllGone /\ UNCHANGED announced /\ step' = [action |-> "AllGone"]

RecSpec == RecInit /\ [][RecNext]_recVars

\* Every step of RecNext is one of ZNext (for the Correct variant): the recorded
\* walks are behaviours of ZSpec.
ASSUME Variant = "Correct"
=============================================================================
