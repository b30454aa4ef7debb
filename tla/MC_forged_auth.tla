---------------------------- MODULE MC_forged_auth ----------------------------
(***************************************************************************)
(* The module tla/MC_forged_auth*.cfg check: DCA with a delivery service   *)
(* that forges a Welcome's `removes`, which the joiner checks against the  *)
(* list the committer signed (spec/welcome-auth.md).                       *)
(***************************************************************************)
EXTENDS DCA_ForgedWelcome
=============================================================================
