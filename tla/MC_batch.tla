------------------------------- MODULE MC_batch -------------------------------
(***************************************************************************)
(* The module tla/MC_batch*.cfg and tla/BatchMutant_*.cfg check: DCA with  *)
(* the batched rules of tla/DCA_Batch.tla, which the configurations        *)
(* substitute for DCA's single-target operators (definition overrides).    *)
(***************************************************************************)
EXTENDS DCA_Batch
=============================================================================
