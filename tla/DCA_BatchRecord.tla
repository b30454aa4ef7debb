--------------------------- MODULE DCA_BatchRecord ---------------------------
(***************************************************************************)
(* A recording wrapper around the batched rules (tla/DCA_Batch.tla,        *)
(* spec/batching.md), for TRACE GENERATION ONLY: what tla/DCA_Record.tla   *)
(* is to DCA, this module is to DCA with the batched overrides.            *)
(*                                                                         *)
(* Why not DCA_Record with overrides.  DCA_Record instantiates DCA         *)
(* (D == INSTANCE DCA) and names each DC step's single `target`; the       *)
(* batched rules live in DCA_Batch's B-prefixed operators, which TLC's     *)
(* definition overrides (`ApplyCommit <- BApplyCommit` in the .cfg) can    *)
(* only substitute for operators of the root module's EXTENDS tree, and    *)
(* their entries carry a set `targets`.  So this module EXTENDS DCA_Batch  *)
(* (the configurations tla/BatchRecord_*.cfg override exactly as           *)
(* tla/MC_batch.cfg does) and adds one history variable, `step`: the       *)
(* action just taken and its parameters, e.g.                              *)
(*     [action |-> "Read", u |-> 2]                                        *)
(*     [action |-> "DcWelcome", u |-> 1, targets |-> {2, 3}]               *)
(* Its next-state relation RecNext is DCA's Next with DcStep spelled out   *)
(* as the batched rule's five steps (BDcStep), disjunct by disjunct, each  *)
(* conjoined with the `step'` that names it.  The names of DCA's own       *)
(* actions (Join, Read, ...) are taken by the EXTENDS, so the disjuncts    *)
(* are named Rec<action>: TLC labels the edges of its state-graph dump     *)
(* with those names, and conformance/generate/batch-traces.ts checks that  *)
(* each label is "Rec" followed by the action the state records.           *)
(*                                                                         *)
(* Parameters only from the states, never guessed: `u` is the bound        *)
(* variable of the disjunct taken (for Join, nextUid); the `targets` of a  *)
(* DC step are read from the entry it appended, the last entry of log'     *)
(* (a `skipped` entry, R16, names its one joiner `uid`: targets {uid}).    *)
(*                                                                         *)
(* With `step` erased a behaviour of RecSpec is one of DCA's Spec under    *)
(* the batched overrides (AllGone, a stutter there, is a step here).       *)
(* Nothing checks a property on this module: the properties are checked   *)
(* on tla/MC_batch*.cfg.                                                   *)
(***************************************************************************)
EXTENDS DCA_Batch

VARIABLE step   \* the action that produced this state, with its parameters

recVars == <<log, st, nextUid, group, step>>

\* The entry the current step appended: the last entry of log'.
Appended == log'[Len(log')]

\* The users the appended entry names: a batch's targets, a skip's one uid (R16).
AppendedTargets == IF Appended.type = "skipped" THEN {Appended.uid} ELSE Appended.targets

\* A DC step of user d, recorded with the targets named in the entry it appended.
BatchStepOf(d, name) == step' = [action |-> name, u |-> d, targets |-> AppendedTargets]

RecInit        == Init /\ step = [action |-> "Init"]
RecJoin        == Join /\ step' = [action |-> "Join", u |-> nextUid]
RecLeave(u)    == Leave(u) /\ step' = [action |-> "Leave", u |-> u]
RecRead(u)     == Read(u) /\ step' = [action |-> "Read", u |-> u]
RecDcWelcome(d) == BDcWelcome(d) /\ BatchStepOf(d, "DcWelcome")
RecDcAdd(d)    == BDcAdd(d) /\ BatchStepOf(d, "DcAdd")
RecDcRemove(d) == BDcRemove(d) /\ BatchStepOf(d, "DcRemove")
RecDcSkip(d)   == BDcSkip(d) /\ BatchStepOf(d, "DcSkip")
\* Revive appends nothing: only its user is recorded.
RecRevive(u)   == Revive(u) /\ step' = [action |-> "Revive", u |-> u]
RecAllGone     == AllGone /\ step' = [action |-> "AllGone"]

\* DCA's Next with DcStep(u) spelled out as BDcStep's five disjuncts.
RecNext ==
    \/ RecJoin
    \/ \E u \in Uids :
        \/ RecLeave(u) \/ RecRead(u)
        \/ RecDcWelcome(u) \/ RecDcAdd(u) \/ RecDcSkip(u) \/ RecDcRemove(u)
        \/ RecRevive(u)
    \/ RecAllGone

RecSpec == RecInit /\ [][RecNext]_recVars
=============================================================================
