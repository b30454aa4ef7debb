---------------------------- MODULE DCA_Validate ----------------------------
(***************************************************************************)
(* TRACE VALIDATION: is one recorded run a behaviour of DCA?               *)
(*                                                                         *)
(* What it checks.  `Trace` is one recorded run: a sequence of states of   *)
(* DCA's variables (log, st, nextUid, group), each with the action that    *)
(* produced it (conformance/validate/run-recorder.ts records implementation runs so).   *)
(* The only behaviour of this spec walks the run state by state: Trace[1]  *)
(* must satisfy DCA!Init, and each Trace[k+1] must follow from Trace[k] by *)
(* one step of DCA!Next -- the recorded action, by the recorded user, when *)
(* the run names them.  So "TLC reaches the end of Trace" is exactly "the  *)
(* run is a behaviour of DCA" for the constants Users and Variant.         *)
(* Variant is "Correct" unless asked otherwise: we ask whether the         *)
(* implementation behaves like the CORRECT algorithm, whatever switch it   *)
(* was built with.  This is the trace validation of CCF and etcd-raft, in  *)
(* a form the TLCs this project supports can run.                          *)
(*                                                                         *)
(* Why the trace is a constant.  Only standard modules may be used (the    *)
(* 1.7.3-line TLC and the official 1.7.4 must both load this), so there is *)
(* no Json or IOUtils module to read the run from a file at check time.    *)
(* Instead conformance/validate/trace-validate.ts writes, for each run, a module    *)
(* build/validate/<run>/ValidateRun.tla that EXTENDS this one and defines  *)
(* the run as a TLA+ value, TraceDef, a tuple of records                   *)
(*     [log |-> ..., st |-> ..., nextUid |-> ..., group |-> ...,           *)
(*      action |-> "Read", u |-> 2, target |-> 0]                          *)
(* (action: the recorded action name, "" if none; u, target: its recorded *)
(* parameters, 0 when not recorded -- 0 is NoUid, never a user), and a     *)
(* config that substitutes it for the constant Trace (Trace <- TraceDef)   *)
(* and sets Users (the length of st) and Variant.  The TypeScript side     *)
(* checks the shape of every state first, so that TLC never compares       *)
(* values of different kinds (that would be a TLC error, not a verdict).   *)
(*                                                                         *)
(* How the verdict is read.  i counts the states of Trace matched so far   *)
(* (Trace[1..i]); DCA's variables hold Trace[1] while i = 0 and Trace[i]   *)
(* after.  Every step raises i by one and fixes DCA's variables to the     *)
(* next recorded state, so the reachable states form ONE chain             *)
(* i = 0, 1, ..., m, where m is the number of states matched; no state     *)
(* repeats (i grows).  TLC runs with deadlock checking ON (never pass      *)
(* -deadlock) and INVARIANT NotFullyMatched:                               *)
(*  - "Invariant NotFullyMatched is violated": i = Len(Trace) was reached, *)
(*    every recorded state matched: ACCEPTED.  (TLC checks an invariant    *)
(*    when it finds a state, before it looks for that state's successors,  *)
(*    so the last state is reported as this violation, never as deadlock.) *)
(*  - "Deadlock reached": the chain stopped at i = m < Len(Trace):         *)
(*    REJECTED.  The last state of TLC's error trace holds i = m: recorded *)
(*    states 1..m form a behaviour of DCA, and state m+1 does not follow   *)
(*    from state m (m = 0: Trace[1] is not an initial state).  In the      *)
(*    0-based numbering of the ITF file the run left the model at step m.  *)
(*    TLC's count of distinct states (m + 1) must agree; the TypeScript    *)
(*    side checks that it does.                                            *)
(*  - Anything else (no error found, an evaluation error) is no verdict    *)
(*    and is reported as an error.                                         *)
(* Checking DCA!Init in a step (MatchFirst) rather than in Init makes a    *)
(* wrong first state a deadlock like any other divergence, instead of an   *)
(* empty set of initial states.                                            *)
(*                                                                         *)
(* Labels.  A step must be the recorded action (LabelledStep): by the      *)
(* recorded user; for a DC step, appending an entry for the recorded       *)
(* target; for a Join, handing out the recorded UID.  An action name that  *)
(* is not one of DCA's (or none at all) is checked against all of          *)
(* DCA!Next.  When a run is rejected, a second TLC run (ExplainNext,       *)
(* below) tells whether the recorded state is reachable by another step,   *)
(* and what the recorded step would have produced.                        *)
(***************************************************************************)
EXTENDS Integers, Sequences   \* Integers: a recorded value may be negative

CONSTANTS
    Users,      \* as in DCA: the run's number of users (the length of st)
    Variant,    \* as in DCA: the model the run is checked against
    Trace       \* the recorded run (see above), substituted by the config

ASSUME Len(Trace) > 0

VARIABLES log, st, nextUid, group   \* DCA's variables
VARIABLE i                          \* how many states of Trace are matched

D == INSTANCE DCA

dcaVars == <<log, st, nextUid, group>>
vars    == <<log, st, nextUid, group, i>>

\* DCA's variables hold, or (primed) are set to, the recorded state Trace[k].
\* In a step the primed variables are set BEFORE DCA's step is evaluated,
\* so TLC evaluates that step as a test of them (x' = e with x' already
\* set is a comparison) instead of enumerating successors.  Becomes(k)
\* primes only the variables, never k's argument (Is(i + 1)' would also
\* prime i).
Is(k) ==
    /\ log = Trace[k].log /\ st = Trace[k].st
    /\ nextUid = Trace[k].nextUid /\ group = Trace[k].group

Becomes(k) ==
    /\ log' = Trace[k].log /\ st' = Trace[k].st
    /\ nextUid' = Trace[k].nextUid /\ group' = Trace[k].group

\* The users a recorded step may be of: the recorded one (none if it is not
\* a UID), or any user when none was recorded.
Who(e) == IF e.u = 0 THEN D!Uids ELSE {e.u} \cap D!Uids

\* A DC step appends one entry, for its target; it is the last entry of
\* log' (DCA_Record.tla reads the target the same way): a Welcome's or a
\* Commit's `target`, a `skipped` entry's `uid` (R16).
AppendedFor(e) ==
    \/ e.target = 0
    \/ /\ Len(log') > 0
       /\ LET m == log'[Len(log')]
          IN  \/ "target" \in DOMAIN m /\ m.target = e.target
              \/ m.type = "skipped" /\ m.uid = e.target

\* The step of DCA that record e says was taken.  One case per action of
\* DCA!Next (Join, Leave, Read, the seven DC steps, AllGone).
LabelledStep(e) ==
    CASE e.action = "Join"          -> D!Join /\ (e.u = 0 \/ e.u = nextUid)
      [] e.action = "Leave"         -> \E u \in Who(e) : D!Leave(u)
      [] e.action = "Read"          -> \E u \in Who(e) : D!Read(u)
      [] e.action = "DcWelcome"     -> \E u \in Who(e) : D!DcWelcome(u)
                                                         /\ AppendedFor(e)
      [] e.action = "DcAdd"         -> \E u \in Who(e) : D!DcAdd(u)
                                                         /\ AppendedFor(e)
      [] e.action = "DcAddFirst"    -> \E u \in Who(e) : D!DcAddFirst(u)
                                                         /\ AppendedFor(e)
      [] e.action = "DcLateWelcome" -> \E u \in Who(e) : D!DcLateWelcome(u)
                                                         /\ AppendedFor(e)
      [] e.action = "DcSkip"        -> \E u \in Who(e) : D!DcSkip(u)
                                                         /\ AppendedFor(e)
      [] e.action = "DcRemove"      -> \E u \in Who(e) : D!DcRemove(u)
                                                         /\ AppendedFor(e)
      [] e.action = "Revive"        -> \E u \in Who(e) : D!Revive(u)
      [] e.action = "AllGone"       -> D!AllGone
      \* The run claims nothing is left to do: true only if DCA is quiescent.
      [] e.action = "Quiesced"      -> D!Quiescent /\ UNCHANGED dcaVars
      [] OTHER                      -> D!Next

Init == i = 0 /\ Is(1)

\* The first recorded state is an initial state of DCA.
MatchFirst ==
    /\ i = 0
    /\ D!Init
    /\ UNCHANGED dcaVars
    /\ i' = 1

\* The next recorded state follows by the recorded step of DCA.
MatchNext ==
    /\ 0 < i /\ i < Len(Trace)
    /\ Becomes(i + 1)
    /\ LabelledStep(Trace[i + 1])
    /\ i' = i + 1

Next == MatchFirst \/ MatchNext

Spec == Init /\ [][Next]_vars

\* Violated exactly when the whole run has been matched: the verdict
\* "accepted" (see the comment at the top).
NotFullyMatched == i < Len(Trace)

(***************************************************************************)
(* Explaining a divergence: INIT Init, NEXT ExplainNext, INVARIANT         *)
(* NoSuccessor, TLC run with -continue.  Here Trace has two states: the    *)
(* last matched state and the first unmatched one.  The successors of      *)
(* Trace[1] are computed (the variables are not fixed in advance) and      *)
(* marked by i:                                                            *)
(*   i = 1  a state the recorded step (LabelledStep) leads to: what DCA    *)
(*          does instead; the TypeScript side diffs it against Trace[2]    *)
(*   i = 2  Trace[2] itself, reached by some step of DCA!Next: the state   *)
(*          is reachable, but not by the step the run says it took         *)
(* TLC prints each such state as a violation of NoSuccessor.  If it prints *)
(* none, the recorded step is not enabled in Trace[1] and no step of DCA   *)
(* leads to Trace[2].  (A rejected first state is not explained here.)     *)
(***************************************************************************)
ExplainNext ==
    /\ i = 0
    /\ \/ LabelledStep(Trace[2]) /\ i' = 1
       \/ Becomes(2) /\ D!Next /\ i' = 2

NoSuccessor == i = 0

=============================================================================
