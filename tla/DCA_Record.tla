------------------------------ MODULE DCA_Record ------------------------------
(***************************************************************************)
(* A recording wrapper around DCA, for TRACE GENERATION ONLY.              *)
(*                                                                         *)
(* Why it exists.  The TypeScript implementation replays behaviours of the *)
(* model step by step (traces/model/*.itf.json, made by `npm run traces`). *)
(* To replay a step it must know which action was taken and with which    *)
(* parameters: who read, who joined, which DC welcomed or removed whom.    *)
(* TLC cannot tell us that: in the TLC versions this project supports      *)
(* (the 1.7.3 line and 1.7.4) an action's label in a trace or a state-     *)
(* graph dump is only the operator's NAME ("Read"), never its arguments,   *)
(* and there is no ALIAS to print extra information.  So this module adds  *)
(* one variable, `step`, that holds the action just taken and its          *)
(* parameters, e.g.                                                        *)
(*     [action |-> "Read", u |-> 2]                                        *)
(*     [action |-> "DcWelcome", u |-> 1, target |-> 3]                     *)
(* and a next-state relation that is DCA's Next, disjunct by disjunct,     *)
(* each conjoined with the `step'` that names it.                          *)
(*                                                                         *)
(* Why it is separate from DCA.tla.  `step` is a history variable: it      *)
(* changes no behaviour of DCA's variables, but it splits every DCA state  *)
(* into one state per way of reaching it, so the state graph grows (and    *)
(* AllGone, a stuttering step of DCA, becomes a real step here).  DCA.tla  *)
(* keeps no history or debugging variables so that the correctness checks *)
(* (MC_*.cfg, the mutants) explore the smallest graph.  Nothing checks a   *)
(* property on this module: the properties are checked on DCA itself.      *)
(* This module only restates DCA's Next; it defines no behaviour of its    *)
(* own, so a trace of TraceSpec, with `step` erased, is a behaviour of     *)
(* DCA!Spec (each step of TraceNext is a step of DCA!Next, or for AllGone  *)
(* a stuttering step, and TraceInit implies DCA!Init).                     *)
(*                                                                         *)
(* How parameters are recorded.  Only from the states, never guessed:      *)
(*  - the user `u` is the bound variable of the disjunct of DCA!Next that  *)
(*    was taken (for Join, the UID it hands out: nextUid);                 *)
(*  - the `target` of a DC step is read from the entry that step appended, *)
(*    the last entry of log' (appending a DC message never drops it: its   *)
(*    author is active and has not read it).  This matters for            *)
(*    DcWelcome under the WelcomeOutOfOrder variant, where the joiner is   *)
(*    picked by an \E inside DcWelcome that this module cannot see.  A     *)
(*    `skipped` entry (DcSkip, R16) names its joiner `uid`, not `target`:  *)
(*        [action |-> "DcSkip", u |-> 1, target |-> 3]                     *)
(*                                                                         *)
(* Keep TraceNext in step with DCA!Next: every disjunct of DCA!Next (Join, *)
(* Leave, Read, the seven DC steps of DcStep, AllGone) has exactly one     *)
(* disjunct here.  `npm run traces` fails if a Correct action is never     *)
(* seen in the state graph.                                                *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS Users, Variant
VARIABLES log, st, nextUid, group   \* DCA's variables, passed through
VARIABLE step    \* the action that produced this state, with its parameters

\* The model itself, unchanged; every name below that is also a name in DCA
\* (Init, Join, Read, ...) wraps D's operator of that name.
D == INSTANCE DCA

traceVars == <<log, st, nextUid, group, step>>

\* The entry the current step appended: the last entry of log'.
Appended == log'[Len(log')]

\* The user that entry is for: a Welcome's or Commit's target, a skip's uid.
AppendedTarget == IF Appended.type = "skipped" THEN Appended.uid ELSE Appended.target

\* A DC step of user d, recorded with the target named in the entry it appended.
DcStepOf(d, name) == step' = [action |-> name, u |-> d, target |-> AppendedTarget]

\* One operator per disjunct of D!Next, named like it: TLC labels the edges of
\* its state-graph dump with these names.
Init             == D!Init /\ step = [action |-> "Init"]
Join             == D!Join /\ step' = [action |-> "Join", u |-> nextUid]
Leave(u)         == D!Leave(u) /\ step' = [action |-> "Leave", u |-> u]
Read(u)          == D!Read(u)  /\ step' = [action |-> "Read", u |-> u]
DcWelcome(d)     == D!DcWelcome(d)     /\ DcStepOf(d, "DcWelcome")
DcAdd(d)         == D!DcAdd(d)         /\ DcStepOf(d, "DcAdd")
DcAddFirst(d)    == D!DcAddFirst(d)    /\ DcStepOf(d, "DcAddFirst")
DcLateWelcome(d) == D!DcLateWelcome(d) /\ DcStepOf(d, "DcLateWelcome")
DcSkip(d)        == D!DcSkip(d)        /\ DcStepOf(d, "DcSkip")
DcRemove(d)      == D!DcRemove(d)      /\ DcStepOf(d, "DcRemove")
\* Revive appends nothing: only its user is recorded.
Revive(u)        == D!Revive(u) /\ step' = [action |-> "Revive", u |-> u]
AllGone          == D!AllGone /\ step' = [action |-> "AllGone"]

\* D!Next with D!DcStep(u) spelled out as its seven disjuncts.
Next ==
    \/ Join
    \/ \E u \in D!Uids :
        \/ Leave(u) \/ Read(u)
        \/ DcWelcome(u) \/ DcAdd(u) \/ DcAddFirst(u) \/ DcLateWelcome(u)
        \/ DcSkip(u) \/ DcRemove(u) \/ Revive(u)
    \/ AllGone

Spec == Init /\ [][Next]_traceVars

=============================================================================
