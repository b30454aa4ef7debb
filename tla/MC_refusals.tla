------------------------------ MODULE MC_refusals ------------------------------
(***************************************************************************)
(* The module tla/MC_refusals.cfg checks: DCA with a delivery service that *)
(* can make any member refuse any entry (tla/DCA_Refusals.tla).            *)
(***************************************************************************)
EXTENDS DCA_Refusals
=============================================================================
