----------------------------- MODULE MC_reduced -----------------------------
(***************************************************************************)
(* The module tla/MC_reduced.cfg checks: the reduced model of             *)
(* tla/DCA_Reduced.tla (the model's own operators, the input invariants   *)
(* of tla/DCA_Inputs.tla, eager reads).                                   *)
(***************************************************************************)
EXTENDS DCA_Reduced
=============================================================================
