----------------------------- MODULE Gap_DeadRoom -----------------------------
(***************************************************************************)
(* The module tla/Gap_DeadRoom.cfg checks: the reduced model, whose       *)
(* QuiescentNotStranded the rules of DCA.tla do not satisfy (yet).        *)
(***************************************************************************)
EXTENDS DCA_Reduced
=============================================================================
