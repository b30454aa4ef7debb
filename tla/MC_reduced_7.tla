----------------------------- MODULE MC_reduced_7 -----------------------------
(***************************************************************************)
(* The module tla/MC_reduced_7.cfg checks: the reduced model of           *)
(* tla/DCA_Reduced.tla (the model's own operators, the input invariants   *)
(* of tla/DCA_Inputs.tla, eager reads).                                   *)
(***************************************************************************)
EXTENDS DCA_Reduced
=============================================================================
