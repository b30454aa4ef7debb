------------------------------- MODULE MC_ci -------------------------------
(***************************************************************************)
(* The module tla/MC_ci.cfg checks (scripts/tlc.ts picks the .tla named   *)
(* like the config): the model, with the definitions of DCA_Inputs, so    *)
(* one exhaustive 4-user run checks the model's properties and what the   *)
(* implementation's input checks rely on.                                 *)
(***************************************************************************)
EXTENDS DCA_Inputs
=============================================================================
