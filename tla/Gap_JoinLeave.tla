---------------------------- MODULE Gap_JoinLeave ----------------------------
(***************************************************************************)
(* The module tla/Gap_JoinLeave.cfg checks: DCA.tla as it is (no override) *)
(* with the step property NoWelcomeOrAddAfterLeft of tla/DCA_Batch.tla.    *)
(***************************************************************************)
EXTENDS DCA_Batch
=============================================================================
