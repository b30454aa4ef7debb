--------------------------- MODULE DCA_BatchValidate ---------------------------
(***************************************************************************)
(* TRACE VALIDATION of the batched rules: is one recorded run of           *)
(* impl/batch.ts (BatchRoom), or of the client with batch: true            *)
(* (in-process or merged from network clients; npm run validate picks     *)
(* this module by the run's form), a behaviour of DCA under                *)
(* tla/DCA_Batch.tla's overrides?                                          *)
(* What tla/DCA_Validate.tla is for DCA, for the batched                   *)
(* rules; its comment explains the method, which is the same here:         *)
(*  - `Trace` is the run, a tuple of records                               *)
(*      [log |-> ..., st |-> ..., nextUid |-> ..., group |-> ...,          *)
(*       action |-> "DcWelcome", u |-> 1, targets |-> {2, 3}]              *)
(*    (u: 0 when not recorded; targets: {} when not recorded), written as  *)
(*    a constant by conformance/validate/batch-validate.ts in a module     *)
(*    that EXTENDS this one, with a configuration that substitutes it      *)
(*    (Trace <- TraceDef) and overrides DCA's single-target operators      *)
(*    with DCA_Batch's, as tla/MC_batch.cfg does;                          *)
(*  - i counts the recorded states matched; each step fixes DCA's          *)
(*    variables to the next recorded state and requires the recorded      *)
(*    action of the batched rules to lead there (by the recorded user; a   *)
(*    DC step appending an entry for the recorded targets);                *)
(*  - TLC runs with deadlock checking ON and INVARIANT NotFullyMatched:    *)
(*    "NotFullyMatched is violated" = ACCEPTED (every state matched);      *)
(*    "Deadlock reached" with i = m = REJECTED: state m + 1 (0-based ITF   *)
(*    index m) does not follow from state m.                               *)
(* Why not DCA_Validate with overrides: it instantiates DCA (D == INSTANCE *)
(* DCA), and TLC's definition overrides reach only the root module's       *)
(* EXTENDS tree; and the batched DC steps are DCA_Batch's BDc* operators.  *)
(* So this module EXTENDS DCA_Batch, whose names (Init, Next, vars, ...)   *)
(* it must not redefine: its own are VInit and VNext.                      *)
(***************************************************************************)
EXTENDS DCA_Batch

CONSTANT Trace   \* the recorded run (see above), substituted by the config

ASSUME Len(Trace) > 0

VARIABLE i       \* how many states of Trace are matched

validateVars == <<log, st, nextUid, group, i>>

Is(k) ==
    /\ log = Trace[k].log /\ st = Trace[k].st
    /\ nextUid = Trace[k].nextUid /\ group = Trace[k].group

\* Primes only DCA's variables (see DCA_Validate.tla: set before the step, so
\* the step is evaluated as a test of them).
Becomes(k) ==
    /\ log' = Trace[k].log /\ st' = Trace[k].st
    /\ nextUid' = Trace[k].nextUid /\ group' = Trace[k].group

Who(e) == IF e.u = 0 THEN Uids ELSE {e.u} \cap Uids

\* A DC step appends one entry, for its targets: the last entry of log' (a
\* `skipped` entry, R16, for its one `uid`).
AppendedFor(e) ==
    \/ e.targets = {}
    \/ /\ Len(log') > 0
       /\ LET m == log'[Len(log')]
          IN  \/ "targets" \in DOMAIN m /\ m.targets = e.targets
              \/ m.type = "skipped" /\ {m.uid} = e.targets

\* The step of the batched rules that record e says was taken.
LabelledStep(e) ==
    CASE e.action = "Join"      -> Join /\ (e.u = 0 \/ e.u = nextUid)
      [] e.action = "Leave"     -> \E u \in Who(e) : Leave(u)
      [] e.action = "Read"      -> \E u \in Who(e) : Read(u)
      [] e.action = "DcWelcome" -> \E u \in Who(e) : BDcWelcome(u) /\ AppendedFor(e)
      [] e.action = "DcAdd"     -> \E u \in Who(e) : BDcAdd(u) /\ AppendedFor(e)
      [] e.action = "DcRemove"  -> \E u \in Who(e) : BDcRemove(u) /\ AppendedFor(e)
      [] e.action = "DcSkip"    -> \E u \in Who(e) : BDcSkip(u) /\ AppendedFor(e)
      [] e.action = "Revive"    -> \E u \in Who(e) : Revive(u)
      [] e.action = "AllGone"   -> AllGone
      \* The run claims nothing is left to do: true only if DCA is quiescent.
      [] e.action = "Quiesced"  -> Quiescent /\ UNCHANGED vars
      [] OTHER                  -> Next

VInit == i = 0 /\ Is(1)

\* The first recorded state is an initial state.
MatchFirst ==
    /\ i = 0
    /\ Init
    /\ UNCHANGED vars
    /\ i' = 1

\* The next recorded state follows by the recorded step.
MatchNext ==
    /\ 0 < i /\ i < Len(Trace)
    /\ Becomes(i + 1)
    /\ LabelledStep(Trace[i + 1])
    /\ i' = i + 1

VNext == MatchFirst \/ MatchNext

\* Violated exactly when the whole run has been matched: the verdict "accepted".
NotFullyMatched == i < Len(Trace)
=============================================================================
