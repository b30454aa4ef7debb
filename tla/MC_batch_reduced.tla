--------------------------- MODULE MC_batch_reduced ---------------------------
(***************************************************************************)
(* The module tla/MC_batch_reduced.cfg checks: the reduced model of        *)
(* tla/DCA_Reduced.tla (eager reads, dropped entries, liveness as          *)
(* quiescent invariants, the rank) on the batched rules of                 *)
(* tla/DCA_Batch.tla, whose operators the configuration substitutes for    *)
(* DCA's and DCA_Reduced's single-target ones.                             *)
(***************************************************************************)
EXTENDS DCA_Batch, DCA_Reduced
=============================================================================
