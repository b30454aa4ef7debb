------------------------------ MODULE MC_batch_4 ------------------------------
(***************************************************************************)
(* The module tla/MC_batch_4.cfg checks: as MC_batch, at 4 users -- DCA    *)
(* with the batched rules of tla/DCA_Batch.tla, which the configuration    *)
(* substitutes for DCA's single-target operators (definition overrides).   *)
(***************************************************************************)
EXTENDS DCA_Batch
=============================================================================
