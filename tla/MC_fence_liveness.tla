--------------------------- MODULE MC_fence_liveness ---------------------------
(***************************************************************************)
(* The module tla/MC_fence_liveness.cfg checks: the fenced model under    *)
(* fairness, against DCA's FairSpec and liveness through the refinement   *)
(* mapping of DCA_Zombie.tla.                                             *)
(***************************************************************************)
EXTENDS DCA_Zombie
=============================================================================
