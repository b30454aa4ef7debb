--------------------------- MODULE Gap_ForgedRemoves ---------------------------
(***************************************************************************)
(* The module tla/Gap_ForgedRemoves.cfg checks: DCA with a delivery        *)
(* service that forges a Welcome's `removes`, which the joiner trusts.     *)
(***************************************************************************)
EXTENDS DCA_ForgedWelcome
=============================================================================
