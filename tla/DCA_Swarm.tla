----------------------------- MODULE DCA_Swarm -----------------------------
(***************************************************************************)
(* Random walks past the exhaustive bound (npm run simulate): the recording *)
(* wrapper of tla/DCA_Record.tla, so every state names the action that made *)
(* it (the campaign's action coverage), with every invariant and step      *)
(* property of tla/MC_ci.cfg, the input invariants included, restated here *)
(* under their own names because a configuration can only name operators  *)
(* of its root module.  TLC's -simulate checks invariants, action and     *)
(* temporal properties on every walk (its distributed mode does not:      *)
(* never use that).                                                        *)
(***************************************************************************)
EXTENDS DCA_Record, FiniteSets

\* Swarm testing: each seed of a campaign also draws how many users may leave
\* in its walks (an action constraint), so some walks keep a crowd in the
\* room while others see it emptied.
CONSTANT MaxGone

I == INSTANCE DCA_Inputs

GoneAtMost == Cardinality({u \in D!Uids : st'[u].status = "gone"}) <= MaxGone

\* The walks' next-state relation: DCA's (recorded), fewer leaves.  Not an
\* action constraint: TLC's -simulate would end a walk at the first successor
\* a constraint excludes instead of choosing another.
SwarmNext == Next /\ GoneAtMost

TypeOK                    == I!TypeOK
UniquePendings            == I!UniquePendings
UidsEnumerate             == I!UidsEnumerate
QuiescentNoPendings       == I!QuiescentNoPendings
QuiescentEqualEpochs      == I!QuiescentEqualEpochs
QuiescentAllWelcomed      == I!QuiescentAllWelcomed
QuiescentWelcomesAdded    == I!QuiescentWelcomesAdded
QuiescentNotStranded      == I!QuiescentNotStranded
QuiescentSomeDc           == I!QuiescentSomeDc
AtMostOneBelievesDc       == I!AtMostOneBelievesDc
NoFork                    == I!NoFork
ViewMatchesGroup          == I!ViewMatchesGroup
LeftNotRepeated           == I!LeftNotRepeated
LeftIsKnown               == I!LeftIsKnown
JoinedIsNext              == I!JoinedIsNext
LastArrivalCoversKnown    == I!LastArrivalCoversKnown
SkippedIsExpected         == I!SkippedIsExpected
CommitEpochsIncreaseByOne == I!CommitEpochsIncreaseByOne
NoDoubleCommit            == I!NoDoubleCommit
CommitsFromBelievedDc     == I!CommitsFromBelievedDc
NoWelcomeOrAddAfterLeft   == I!NoWelcomeOrAddAfterLeft
=============================================================================
