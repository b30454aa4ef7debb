------------------------------ MODULE Gap_Zombie ------------------------------
(***************************************************************************)
(* The module tla/Gap_Zombie.cfg checks: DCA with a live user announced   *)
(* as left, under today's rules (the DS appends a zombie's Commits).      *)
(***************************************************************************)
EXTENDS DCA_Zombie
=============================================================================
