----------------------------- MODULE DCA_Batch -----------------------------
(***************************************************************************)
(* Batched adds and removes, a candidate rule (spec/batching.md).          *)
(*                                                                         *)
(* Today (tla/DCA.tla, R10-R13) the DC welcomes and adds one joiner per    *)
(* Welcome and Commit, and removes one departed member per Commit: n       *)
(* joiners cost n epochs.  Under the candidate rule the DC                 *)
(*  - welcomes every joiner it has pending in ONE Welcome entry (one MLS   *)
(*    Welcome serves them all) and then adds them in ONE Commit;           *)
(*  - removes every departed member it has pending in ONE Commit.          *)
(* Joiners welcomed together enter the same epoch with the same members,   *)
(* so they need an order among themselves: each ranks before itself the   *)
(* batch-mates with a smaller UID (R6 with one more tie-break).            *)
(*                                                                         *)
(* How this module changes the rules without copying DCA.tla.  Log entries *)
(* `welcome`, `add` and `remove` carry a set `targets` instead of one      *)
(* `target`, and a DC between its Welcome and its Add remembers the whole  *)
(* batch (field `batch` of its state; `adding` stays the batch's lowest    *)
(* UID, so every operator of DCA that only asks "is an add in progress"    *)
(* reads it unchanged).  The operators of DCA that read a single target    *)
(* are given B-prefixed counterparts here, and the configurations          *)
(* (tla/MC_batch*.cfg) substitute them with TLC's definition override      *)
(* (`CONSTANT ApplyCommit <- BApplyCommit`): TLC then runs DCA's own       *)
(* Next, Spec and properties -- NoFork's replay, the quiescent invariants, *)
(* the step properties -- on the batched rules, and DCA_Reduced's eager    *)
(* reads as well.  A rule DCA.tla gains elsewhere flows in.                *)
(*                                                                         *)
(* BatchRank picks the tie-break under test:                               *)
(*   "Uid"     - the candidate rule: batch-mates with a smaller UID rank   *)
(*               before one                                                *)
(*   "None"    - known-bad: batch-mates are not ranked before one at all   *)
(*               (each ranks only the members it joined)                   *)
(*   "All"     - known-bad: every batch-mate ranks before one              *)
(***************************************************************************)
EXTENDS DCA_Inputs

CONSTANT BatchRank
ASSUME BatchRank \in {"Uid", "None", "All"}

\* The targets of a log entry: a batch's set, or DCA's single target.  The
\* configurations substitute it for DCA's Targets (`Targets <- BTargets`),
\* so DCA's NoWelcomeOrAddAfterLeft (R16) reads batched entries.
BTargets(m) == IF "targets" \in DOMAIN m THEN m.targets ELSE {m.target}

(***************************************************************************)
(* State: one more field, the batch a DC is adding (empty otherwise).      *)
(***************************************************************************)
BFresh == [status |-> "waiting", cursor |-> 0, welcomed |-> FALSE,
           tentative |-> NoWelcome, epoch |-> 0, by |-> NoUid,
           members |-> {}, ahead |-> {},
           pendingAdds |-> <<>>, pendingRemoves |-> <<>>, adding |-> NoUid,
           batch |-> {}]

(***************************************************************************)
(* Commits with a set of targets (R9 for a batch).                         *)
(***************************************************************************)
BApplyCommit(s, m) ==
    [s EXCEPT !.epoch   = m.epoch + 1,
              !.by      = m.sender,
              !.members = IF m.type = "add" THEN @ \cup m.targets
                                            ELSE @ \ m.targets]

BApplyToMember(s, m) ==
    LET a == BApplyCommit(s, m)
        out(q) == SelectSeq(q, LAMBDA y : y \notin m.targets)
    IN  [a EXCEPT !.pendingAdds    = IF m.type = "add" THEN out(@) ELSE @,
                  !.pendingRemoves = IF m.type = "remove" THEN out(@) ELSE @]

BApplyToGroup(g, m) ==
    LET a == BApplyCommit(g, m)
    IN  [a EXCEPT !.removed = IF m.type = "remove" THEN @ \cup m.targets
                                                   ELSE @]

(***************************************************************************)
(* Entering the group from a batch Welcome (R7 with the tie-break): the    *)
(* members of the Welcome's epoch rank before u, except u, the pending     *)
(* removes, and -- under the UID rule -- batch-mates with a larger UID.    *)
(* It also stops tracking as pending joiners its batch-mates (it read      *)
(* their `joined` after its own): the Add that adds them is its own,       *)
(* which it does not apply (R9).  Without this, TLC finds a quiescent      *)
(* member with a batch-mate still pending (QuiescentNoPendings, 14 states).*)
(***************************************************************************)
BEnterGroup(u, s, w) ==
    LET removes == SelectSeq(Merge(w.removes, s.pendingRemoves),
                             LAMBDA v : v >= Min(w.members))   \* as DCA's (R7)
        after   == CASE BatchRank = "Uid"  -> {v \in w.targets : v > u}
                     [] BatchRank = "None" -> w.targets
                     [] BatchRank = "All"  -> {}
    IN  [s EXCEPT !.welcomed       = TRUE,
                  !.tentative      = NoWelcome,
                  !.epoch          = w.epoch,
                  !.by             = w.sender,
                  !.members        = w.members,
                  !.pendingAdds    = SelectSeq(@, LAMBDA y : y \notin w.members),
                  !.pendingRemoves = removes,
                  !.ahead          = w.members \ ({u} \cup Range(removes) \cup after)]

BOnWelcome(u, s, m) ==
    IF u \notin m.targets \/ s.welcomed THEN s
    ELSE [s EXCEPT !.tentative = m]

BConfirmsWelcome(u, s, m) ==
    /\ m.type = "add" /\ u \in m.targets
    /\ s.tentative.type = "welcome"
    /\ m.sender = s.tentative.sender
    /\ m.epoch + 1 = s.tentative.epoch

(***************************************************************************)
(* The DC's steps, batched.                                                *)
(***************************************************************************)
BWelcomeMsg(d, ts) ==
    [type |-> "welcome", targets |-> ts, epoch |-> st[d].epoch + 1,
     sender |-> d, members |-> st[d].members \cup ts,
     removes |-> st[d].pendingRemoves]

BCommitMsg(d, type, ts) ==
    [type |-> type, targets |-> ts, epoch |-> st[d].epoch, sender |-> d,
     parent |-> st[d].by]

\* Step 1: one Welcome for every pending joiner (R10, R11, R12 batched).
\* A batch never includes a joiner that left before it was added (R16):
\* while one is pending, BDcSkip is the DC's step.
BDcWelcome(d) ==
    /\ Believes(d)
    /\ st[d].adding = NoUid
    /\ st[d].pendingAdds # <<>>
    /\ LET ts == Range(st[d].pendingAdds)
       IN  /\ \A t \in ts : ~LeftBeforeAdded(d, t)
           /\ Settle(Append(log, BWelcomeMsg(d, ts)),
                     [st EXCEPT ![d].adding = Min(ts), ![d].batch = ts])
    /\ UNCHANGED <<nextUid, group>>

BSendCommit(d, c) ==
    /\ Settle(Append(log, c),
              [st EXCEPT ![d] = [BApplyToMember(@, c) EXCEPT !.adding = NoUid,
                                                             !.batch = {}]])
    /\ group' = BApplyToGroup(group, c)
    /\ UNCHANGED nextUid

\* Step 2: one Add Commit for the whole batch, unless one of it has left
\* since the Welcome (then BDcSkip).
BDcAdd(d) ==
    /\ st[d].status = "active"
    /\ st[d].adding # NoUid
    /\ \A t \in st[d].batch : ~LeftBeforeAdded(d, t)
    /\ BSendCommit(d, BCommitMsg(d, "add", st[d].batch))

\* Removes, once no add is pending: every pending remove in one Commit (R13).
BDcRemove(d) ==
    /\ Believes(d)
    /\ st[d].adding = NoUid
    /\ st[d].pendingAdds = <<>>
    /\ st[d].pendingRemoves # <<>>
    /\ BSendCommit(d, BCommitMsg(d, "remove", Range(st[d].pendingRemoves)))

\* R16 for a batch: the DC skips a joiner that left before it was added --
\* one of the batch under way (the batch's Welcome and prepared Commit are
\* then abandoned: the Commit cannot leave one of the Welcome's members
\* out; the others stay pending, for a new Welcome), else one of the pending
\* joiners -- the lowest UID first, one `skipped` entry (DCA's) each.
BDcSkip(d) ==
    /\ Believes(d)
    /\ LET from == IF st[d].adding # NoUid THEN st[d].batch
                   ELSE Range(st[d].pendingAdds)
           gone == {t \in from : LeftBeforeAdded(d, t)}
       IN  /\ gone # {}
           /\ LET t == Min(gone)
              IN  Settle(Append(log, SkipMsg(d, t)),
                         [st EXCEPT ![d] = [@ EXCEPT !.pendingAdds    = Drop(@, t),
                                                     !.pendingRemoves = Drop(@, t),
                                                     !.adding         = NoUid,
                                                     !.batch          = {}]])
    /\ UNCHANGED <<nextUid, group>>

\* The known-bad and superseded variants of DCA are single-target rules;
\* the batched rule is checked with Variant = "Correct" only.  A dead room
\* revives as in DCA (R15): Revive is DCA's own.
BDcStep(d) == BDcWelcome(d) \/ BDcAdd(d) \/ BDcSkip(d) \/ BDcRemove(d)
              \/ Revive(d)

(***************************************************************************)
(* What the properties read, for batched entries.                          *)
(***************************************************************************)
BMessages ==
    [type : {"joined", "left"}, uid : Uids]
    \cup [type : {"skipped"}, uid : Uids, sender : Uids]
    \cup [type : {"welcome"}, targets : SUBSET Uids, epoch : Nat,
          sender : Uids, members : SUBSET Uids, removes : Seq(Uids)]
    \cup [type : {"add", "remove"}, targets : SUBSET Uids, epoch : Nat,
          sender : Uids, parent : Uids \cup {NoUid}]

BTypeOK ==
    /\ nextUid \in 2..(Users + 1)
    /\ \A i \in DOMAIN log :
          /\ log[i] \in BMessages
          /\ log[i].type \in {"welcome", "add", "remove"} => log[i].targets # {}
    /\ \A u \in Uids :
        /\ st[u].status \in {"waiting", "active", "gone"}
        /\ st[u].cursor \in 0..Len(log)
        /\ st[u].welcomed \in BOOLEAN
        /\ st[u].tentative \in {NoWelcome} \cup
                                [type : {"welcome"}, targets : SUBSET Uids,
                                 epoch : Nat, sender : Uids,
                                 members : SUBSET Uids, removes : Seq(Uids)]
        /\ st[u].epoch \in Nat /\ st[u].by \in Uids \cup {NoUid}
        /\ st[u].members \subseteq Uids /\ st[u].ahead \subseteq Uids
        /\ st[u].pendingAdds \in Seq(Uids)
        /\ st[u].pendingRemoves \in Seq(Uids)
        /\ st[u].adding \in Uids \cup {NoUid}
        /\ st[u].batch \subseteq Uids
        /\ (st[u].adding = NoUid) = (st[u].batch = {})
        /\ st[u].batch # {} => st[u].adding = Min(st[u].batch)
    /\ group.epoch \in Nat /\ group.by \in Uids \cup {NoUid}
    /\ group.members \subseteq Uids /\ group.removed \subseteq Uids

\* NoDoubleCommit for batches: nobody in an Add's batch is a member or was
\* removed; everyone in a Remove's batch is a member.
BNoDoubleCommit ==
    [][NewCommit =>
        IF TheCommit.type = "add"
        THEN TheCommit.targets \cap (group.members \cup group.removed) = {}
        ELSE TheCommit.targets \subseteq group.members]_vars

(***************************************************************************)
(* DCA_Reduced's operators that read one target (spec/reduction.md), for   *)
(* batched entries; and its eager-read condition for a DC with work, which *)
(* batching changes: reading a `joined` or `left` can change what the DC's *)
(* next Welcome or Remove contains, so such a read is eager only where no  *)
(* batch the DC can make before it depends on it:                         *)
(*  - a `joined` while an Add is under way (the Add's batch is fixed) and  *)
(*    no remove is pending (after the Add, a Welcome rather than a Remove  *)
(*    would follow either way);                                            *)
(*  - a `left` while an Add is under way, with no other joiner and no      *)
(*    remove pending (after the Add the Remove is the same either way),    *)
(*    and not of one of the batch (that turns the Add into a skip, R16).   *)
(***************************************************************************)
BForUser(u, m) == m.type \in {"welcome", "add"} /\ u \in m.targets

BNoOpAhead(l, u, s, i) ==
    LET m == l[i] IN
    CASE m.type = "welcome" -> u \notin m.targets \/ s.welcomed
      [] IsCommit(m)        -> IF s.welcomed THEN m.sender = u
                               ELSE \A j \in (s.cursor + 1)..i : ~BForUser(u, l[j])
      [] m.type = "skipped" -> m.sender = u        \* as DCA_Reduced's (R16)
      [] OTHER              -> FALSE

BDcReadCommutes(s, m) ==
    /\ m.type \in {"joined", "left"}
    /\ s.adding # NoUid
    /\ s.pendingRemoves = <<>>
    /\ m.type = "left" => /\ Range(s.pendingAdds) \subseteq s.batch
                         /\ m.uid \notin s.batch

\* Join, then leave before being welcomed (spec/batching.md section 1) is
\* R16 now: DCA's NoWelcomeOrAddAfterLeft reads batched entries through
\* BTargets, and the batched configurations check it.
=============================================================================
