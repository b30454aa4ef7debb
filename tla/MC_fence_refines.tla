---------------------------- MODULE MC_fence_refines ----------------------------
(***************************************************************************)
(* The module tla/MC_fence_refines*.cfg and tla/Gap_ZombieRefines.cfg     *)
(* check (the .cfg files say which rule): the model with a live user      *)
(* announced as left, against DCA through the refinement mapping of       *)
(* DCA_Zombie.tla.                                                        *)
(***************************************************************************)
EXTENDS DCA_Zombie
=============================================================================
