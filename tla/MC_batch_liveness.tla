--------------------------- MODULE MC_batch_liveness ---------------------------
(***************************************************************************)
(* The module tla/MC_batch_liveness.cfg checks: as MC_batch, under         *)
(* fairness (FairSpec) -- DCA with the batched rules of tla/DCA_Batch.tla, *)
(* which the configuration substitutes for DCA's single-target operators.  *)
(***************************************************************************)
EXTENDS DCA_Batch
=============================================================================
