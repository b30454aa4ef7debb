-------------------------------- MODULE DCA --------------------------------
(***************************************************************************)
(* The Designated Committer Algorithm (DCA): one MLS group per room, and   *)
(* one member -- the designated committer (DC) -- makes every Commit.      *)
(*                                                                         *)
(* Read with spec/dca.md: every requirement R<n> named in the comments     *)
(* below is stated there in prose, and every property defined at the end   *)
(* of this module is listed there with its meaning.                        *)
(*                                                                         *)
(* What is modelled                                                        *)
(*  - The delivery service (DS): one totally ordered log.  It appends      *)
(*    `joined` for each arriving user (UIDs 1..Users in order; user 1      *)
(*    creates the group and never joins), telling the arrival who is       *)
(*    present, and `left` for any active user at any time.                 *)
(*    The DC appends `skipped` for a joiner that left before it was added  *)
(*    (R16), besides its Welcomes and Commits.                             *)
(*    A crash is modelled as that same `left` step: a                      *)
(*    crashed client takes no steps, which is indistinguishable from a     *)
(*    slow one until the DS announces it, so merging the two loses no      *)
(*    behaviour (spec/dca.md, section "Crashes").                          *)
(*  - Each member's LOCAL state only: its cursor in the log, whether it is *)
(*    welcomed, its epoch, its view of the membership, its pending adds    *)
(*    and removes in order, and the members ranked before it that it has   *)
(*    not yet seen leave.  Whether a member believes it is the DC is       *)
(*    computed from that local state alone (Believes).                     *)
(*  - MLS epochs are identified by the Commit that created them: the pair  *)
(*    <<epoch number, UID of the committer>> (a member commits at most     *)
(*    once per epoch number, so the pair names one Commit).  Genesis is    *)
(*    <<0, NoUid>>.  This is what makes a fork visible (NoFork).           *)
(*  - `group` is the ground truth: the MLS state produced by the latest    *)
(*    Commit on the log.  It is what the properties compare members to,    *)
(*    not something any party reads.                                       *)
(*                                                                         *)
(* Keeping the state space small                                           *)
(*  Log entries that every active user has read are dropped (Settle), and  *)
(*  the state of a user that left is reset to one constant value.  Both    *)
(*  are invisible to every party: nobody ever reads those entries or that  *)
(*  state again.  Cursors are therefore relative to the retained log.      *)
(*                                                                         *)
(* Standard modules only, no PlusCal, no TLC-module operators: the model   *)
(* must load in the official tla2tools 1.7.4 and in the 1.7.3-line jar     *)
(* that ProB publishes on Maven Central.                                   *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS
    Users,    \* how many users ever exist (UIDs 1..Users)
    Variant   \* "Correct", or the name of a known-bad or superseded variant

(***************************************************************************)
(* Variants.  "Correct" is the algorithm of spec/dca.md.  The others each  *)
(* change exactly one rule; each must make a named property fail           *)
(* (scripts/mutants.ts checks that TLC says so).                           *)
(*   FirstWelcomeCounts    - the published rule: a Welcome takes effect    *)
(*                           when read, before its Add is on the log (R8)  *)
(*   WelcomeWithoutRemoves - the published Welcome: it does not carry the  *)
(*                           DC's pending removes (R7)                     *)
(*   WelcomeOutOfOrder     - known-bad 1: any pending joiner, not the      *)
(*                           earliest, is welcomed next (R11)              *)
(*   AddBeforeWelcome      - known-bad 2: the Add is sent before its       *)
(*                           Welcome (R12)                                 *)
(*   DcLowestAlive         - known-bad 3: a member believes it is the DC   *)
(*                           without having been added (R6)                *)
(*   NoSkipOwnAdd          - known-bad 4: a joiner also applies the Add    *)
(*                           that adds itself (R9)                         *)
(*   IgnoreRemoves         - known-bad 5: the DC never removes (R13)       *)
(*   NoRevive              - the rule before R15: a dead room stays dead,  *)
(*                           stranding its live users                      *)
(*   NoPresentList         - an arrival ranks every earlier user, present  *)
(*                           or not, as before R2's present list           *)
(*   KeepStaleRemoves      - entering keeps every pending remove, as       *)
(*                           before R7's last sentence                     *)
(*   NoSkip                - the rule before R16: a joiner that left       *)
(*                           before it was added is welcomed, added and    *)
(*                           then removed                                  *)
(***************************************************************************)
Variants == {"Correct", "FirstWelcomeCounts", "WelcomeWithoutRemoves",
             "WelcomeOutOfOrder", "AddBeforeWelcome", "DcLowestAlive",
             "NoSkipOwnAdd", "IgnoreRemoves",
             "NoRevive", "NoPresentList", "KeepStaleRemoves", "NoSkip"}

ASSUME Users \in Nat \ {0}
ASSUME Variant \in Variants

Uids  == 1..Users
NoUid == 0

VARIABLES
    log,      \* the DS log, minus the prefix every active user has read
    st,       \* st[u]: user u's local state (a record, see Fresh)
    nextUid,  \* the UID the next arriving user gets
    group     \* ground truth: the MLS state made by the latest Commit

vars == <<log, st, nextUid, group>>

(***************************************************************************)
(* Small helpers.                                                          *)
(***************************************************************************)
Range(q)    == {q[i] : i \in DOMAIN q}
Drop(q, x)  == SelectSeq(q, LAMBDA y : y # x)
\* a's entries, then those of b not already in a (order kept)
Merge(a, b) == a \o SelectSeq(b, LAMBDA y : y \notin Range(a))
Min(S)      == CHOOSE x \in S : \A y \in S : x <= y
IsUnique(q) == \A i, j \in DOMAIN q : i # j => q[i] # q[j]

IsCommit(m) == m.type \in {"add", "remove"}

\* The users a Welcome or Commit is for.  One here; tla/DCA_Batch.tla
\* substitutes a batch's set (`Targets <- BTargets`).
Targets(m) == {m.target}

(***************************************************************************)
(* Local state of one user.                                                *)
(*   status         "waiting" (not arrived), "active", "gone" (left)       *)
(*   cursor         how many entries of `log` it has read                  *)
(*   welcomed       it is a member of the group                            *)
(*   tentative      a Welcome read but not yet confirmed by its Add (R8),  *)
(*                  or NoWelcome                                           *)
(*   epoch, by      its MLS epoch: number and the committer that made it   *)
(*   members        its view of the membership at that epoch               *)
(*   ahead          members ranked before it that it has not seen leave;   *)
(*                  it believes it is the DC when this is empty (R6)       *)
(*   pendingAdds    joined users not yet added, in arrival order (R3)      *)
(*   pendingRemoves left users not yet removed, in order seen (R4)         *)
(*   adding         for a DC between a Welcome and its Add: the target     *)
(***************************************************************************)
NoWelcome == [type |-> "none"]

Fresh == [status |-> "waiting", cursor |-> 0, welcomed |-> FALSE,
          tentative |-> NoWelcome, epoch |-> 0, by |-> NoUid,
          members |-> {}, ahead |-> {},
          pendingAdds |-> <<>>, pendingRemoves |-> <<>>, adding |-> NoUid]

Gone    == [Fresh EXCEPT !.status = "gone"]
Creator == [Fresh EXCEPT !.status = "active", !.welcomed = TRUE,
                         !.members = {1}]                              \* R1

Genesis == [epoch |-> 0, by |-> NoUid, members |-> {1}, removed |-> {}]

Active      == {u \in Uids : st[u].status = "active"}
Confirmed   == {u \in Active : st[u].welcomed}
GroupDead   == group.members \cap Active = {}
\* Everyone who arrived has left: the one room with nothing left to do.
Deserted    == Active = {}

(***************************************************************************)
(* Settle(l, s): install log l and states s, dropping the log prefix that  *)
(* every active user has read and shifting the cursors to match.  Only     *)
(* reads and leaves can make a prefix droppable; appends never do.         *)
(***************************************************************************)
Settle(l, s) ==
    LET act  == {u \in Uids : s[u].status = "active"}
        k    == IF act = {} THEN Len(l) ELSE Min({s[u].cursor : u \in act})
    IN  /\ log' = SubSeq(l, k + 1, Len(l))
        /\ st'  = [u \in Uids |-> IF u \in act
                                  THEN [s[u] EXCEPT !.cursor = @ - k]
                                  ELSE s[u]]

(***************************************************************************)
(* Belief: u thinks it is the DC.  Local state only (R6).                  *)
(***************************************************************************)
Believes(u) ==
    /\ st[u].status = "active"
    /\ st[u].welcomed \/ Variant = "DcLowestAlive"
    /\ st[u].ahead = {}

(***************************************************************************)
(* A dead room revives (R15).  A user that is not a member, has read the   *)
(* whole log and has seen leave every user ranked before it (those present *)
(* when it arrived, R2) knows the group is dead: members are added in      *)
(* arrival order (R11), so while it is not added every member arrived      *)
(* before it, and all of them have left.  It may then create a new group.  *)
(***************************************************************************)
CanRevive(u) ==
    /\ Variant # "NoRevive"
    /\ st[u].status = "active"
    /\ ~st[u].welcomed
    /\ st[u].cursor = Len(log)
    /\ st[u].ahead = {}

\* The DC has something to do (with IgnoreRemoves, removes are not work);
\* reviving a dead room is work too.  Skipping a joiner that left (R16,
\* DcSkip) needs a pending add or an add under way, so it is covered.
HasWork(u) ==
    /\ st[u].status = "active"
    /\ \/ st[u].adding # NoUid
       \/ Believes(u) /\ st[u].pendingAdds # <<>>
       \/ Believes(u) /\ st[u].pendingRemoves # <<>>
                      /\ Variant # "IgnoreRemoves"
       \/ CanRevive(u)

(***************************************************************************)
(* Applying a Commit to an epoch state (a member's, or the ground truth).  *)
(***************************************************************************)
ApplyCommit(s, m) ==
    [s EXCEPT !.epoch   = m.epoch + 1,
              !.by      = m.sender,
              !.members = IF m.type = "add" THEN @ \cup {m.target}
                                            ELSE @ \ {m.target}]

\* A member applying a Commit also drops its target from the pending list.
ApplyToMember(s, m) ==
    LET a == ApplyCommit(s, m)
    IN  [a EXCEPT !.pendingAdds    = IF m.type = "add"
                                     THEN Drop(@, m.target) ELSE @,
                  !.pendingRemoves = IF m.type = "remove"
                                     THEN Drop(@, m.target) ELSE @]

ApplyToGroup(g, m) ==
    LET a == ApplyCommit(g, m)
    IN  [a EXCEPT !.removed = IF m.type = "remove" THEN @ \cup {m.target}
                                                   ELSE @]

(***************************************************************************)
(* Entering the group from a Welcome (R7): take the epoch and membership   *)
(* of the Welcome, adopt the DC's pending removes, drop the pending        *)
(* removes of users ranked below every member of the Welcome (users of a   *)
(* dead group, R15: never members of this one), and rank every member that *)
(* is not known to have left before oneself.                               *)
(***************************************************************************)
EnterGroup(u, s, w) ==
    LET all     == IF Variant = "WelcomeWithoutRemoves"
                   THEN s.pendingRemoves
                   ELSE Merge(w.removes, s.pendingRemoves)
        removes == IF Variant = "KeepStaleRemoves" THEN all
                   ELSE SelectSeq(all, LAMBDA v : v >= Min(w.members))
    IN  [s EXCEPT !.welcomed       = TRUE,
                  !.tentative      = NoWelcome,
                  !.epoch          = w.epoch,
                  !.by             = w.sender,
                  !.members        = w.members,
                  !.pendingRemoves = removes,
                  !.ahead          = w.members \ ({u} \cup Range(removes))]

(***************************************************************************)
(* What a welcomed member does with a Commit (R9): "skip" its own (it      *)
(* applied it when it sent it), "apply" one made in its epoch, "reject"    *)
(* anything else, as MLS would.  The published rules also skip the Add of  *)
(* oneself that follows one's Welcome.                                     *)
(***************************************************************************)
CommitOutcome(u, s, m) ==
    IF m.sender = u THEN "skip"
    ELSE IF Variant = "FirstWelcomeCounts" /\ m.type = "add"
            /\ m.target = u /\ m.epoch + 1 = s.epoch THEN "skip"
    ELSE IF m.epoch = s.epoch /\ m.parent = s.by THEN "apply"
    ELSE "reject"

\* The Add that confirms u's tentative Welcome: same committer, same Commit.
ConfirmsWelcome(u, s, m) ==
    /\ m.type = "add" /\ m.target = u
    /\ s.tentative.type = "welcome"
    /\ m.sender = s.tentative.sender
    /\ m.epoch + 1 = s.tentative.epoch

(***************************************************************************)
(* Reading one log entry (R3, R4, R7, R8, R9, R16).                        *)
(* A `skipped t` (R16) takes t off the reader's pending adds and removes,  *)
(* whoever reads it, member or waiting joiner: t was never added, so no    *)
(* Add and no Remove of t will come.                                       *)
(***************************************************************************)
OnWelcome(u, s, m) ==
    IF m.target # u \/ s.welcomed THEN s           \* not for u, or a repeat
    ELSE IF Variant = "FirstWelcomeCounts" THEN EnterGroup(u, s, m)
    ELSE [s EXCEPT !.tentative = m]                \* a later one replaces it

OnCommit(u, s, m) ==
    IF ~s.welcomed
    THEN IF ConfirmsWelcome(u, s, m)
         THEN LET e == EnterGroup(u, s, s.tentative)
              IN  IF Variant = "NoSkipOwnAdd"
                  \* known-bad 4: it counts its own Add as one more epoch
                  THEN [e EXCEPT !.epoch = @ + 1, !.by = m.sender]
                  ELSE e
         ELSE s                        \* Commits before one's Welcome: skip
    ELSE IF CommitOutcome(u, s, m) = "apply" THEN ApplyToMember(s, m)
    ELSE s                             \* skipped, or rejected by MLS

OnMessage(u, s, m) ==
    CASE m.type = "joined"  -> [s EXCEPT !.pendingAdds = Append(@, m.uid)]
      [] m.type = "left"    -> [s EXCEPT !.pendingRemoves = Append(@, m.uid),
                                         !.ahead = @ \ {m.uid}]
      [] m.type = "skipped" -> [s EXCEPT !.pendingAdds    = Drop(@, m.uid),
                                         !.pendingRemoves = Drop(@, m.uid)]
      [] m.type = "welcome" -> OnWelcome(u, s, m)
      [] OTHER              -> OnCommit(u, s, m)

(***************************************************************************)
(* Actions.                                                                *)
(***************************************************************************)

\* The DS admits the next user (R2).  It reads the log from after its own
\* `joined` entry, and the DS tells it who is present: until it is welcomed
\* those rank before it, and once it has seen them all leave it knows the
\* group is dead (R15).
Join ==
    /\ nextUid <= Users
    /\ LET u == nextUid
           l == Append(log, [type |-> "joined", uid |-> u])
           present == IF Variant = "NoPresentList" THEN 1..(u - 1) ELSE Active
       IN  Settle(l, [st EXCEPT ![u] = [Fresh EXCEPT !.status = "active",
                                                     !.cursor = Len(l),
                                                     !.ahead  = present]])
    /\ nextUid' = nextUid + 1
    /\ UNCHANGED group

\* u leaves, or crashes and the DS announces it (R2, R5).
Leave(u) ==
    /\ st[u].status = "active"
    /\ Settle(Append(log, [type |-> "left", uid |-> u]),
              [st EXCEPT ![u] = Gone])
    /\ UNCHANGED <<nextUid, group>>

\* u reads the next log entry.
Read(u) ==
    /\ st[u].status = "active"
    /\ st[u].cursor < Len(log)
    /\ LET s == [st[u] EXCEPT !.cursor = @ + 1]
       IN  Settle(log, [st EXCEPT ![u] = OnMessage(u, s, log[s.cursor])])
    /\ UNCHANGED <<nextUid, group>>

\* Which pending joiner the DC takes next: the earliest (R11).
NextJoinerIndices(d) ==
    IF Variant = "WelcomeOutOfOrder" THEN DOMAIN st[d].pendingAdds ELSE {1}

\* R16: a joiner the DC has among its pending removes left before it was
\* added.  The DC has read the `left` of every member ranked before it (R6),
\* and each of them appended its Commits before its `left`, so the DC has
\* read every Commit made before its own: none added t.  It skips t
\* (DcSkip) instead of welcoming or adding it.  Under NoSkip, the rule
\* before R16, nobody has left as far as the DC's adds are concerned.
LeftBeforeAdded(d, t) ==
    /\ Variant # "NoSkip"
    /\ t \in Range(st[d].pendingRemoves)

WelcomeMsg(d, t, epoch) ==
    [type |-> "welcome", target |-> t, epoch |-> epoch, sender |-> d,
     members |-> st[d].members \cup {t}, removes |-> st[d].pendingRemoves]

CommitMsg(d, type, t) ==
    [type |-> type, target |-> t, epoch |-> st[d].epoch, sender |-> d,
     parent |-> st[d].by]

\* The DC appends a Commit it has made and applies it at once.
SendCommit(d, c, adding) ==
    /\ Settle(Append(log, c),
              [st EXCEPT ![d] = [ApplyToMember(@, c) EXCEPT !.adding = adding]])
    /\ group' = ApplyToGroup(group, c)
    /\ UNCHANGED nextUid

\* Step 1 of an add: the Welcome, for the epoch the Add will create (R10, R12).
DcWelcome(d) ==
    /\ Variant # "AddBeforeWelcome"
    /\ Believes(d)
    /\ st[d].adding = NoUid
    /\ st[d].pendingAdds # <<>>
    /\ \E i \in NextJoinerIndices(d) :
          LET t == st[d].pendingAdds[i]
          IN  /\ ~LeftBeforeAdded(d, t)                          \* R16
              /\ Settle(Append(log, WelcomeMsg(d, t, st[d].epoch + 1)),
                        [st EXCEPT ![d].adding = t])
    /\ UNCHANGED <<nextUid, group>>

\* Step 2 of an add: the Add Commit, a separate append (R10, R12).
DcAdd(d) ==
    /\ st[d].status = "active"
    /\ st[d].adding # NoUid
    /\ Variant # "AddBeforeWelcome"
    /\ ~LeftBeforeAdded(d, st[d].adding)                         \* R16
    /\ SendCommit(d, CommitMsg(d, "add", st[d].adding), NoUid)

\* Known-bad 2: the Add first, then (DcLateWelcome) the Welcome.
DcAddFirst(d) ==
    /\ Variant = "AddBeforeWelcome"
    /\ Believes(d)
    /\ st[d].adding = NoUid
    /\ st[d].pendingAdds # <<>>
    /\ LET t == Head(st[d].pendingAdds)
       IN  /\ ~LeftBeforeAdded(d, t)
           /\ SendCommit(d, CommitMsg(d, "add", t), t)

DcLateWelcome(d) ==
    /\ Variant = "AddBeforeWelcome"
    /\ st[d].status = "active"
    /\ st[d].adding # NoUid
    /\ Settle(Append(log, WelcomeMsg(d, st[d].adding, st[d].epoch)),
              [st EXCEPT ![d].adding = NoUid])
    /\ UNCHANGED <<nextUid, group>>

\* A joiner that left before it was added is skipped (R16): the DC appends
\* `skipped t` and drops t from its pending adds and removes, so neither a
\* Welcome, an Add nor a Remove is spent on it.  t is the joiner under way
\* (between the Welcome and the Add: the Welcome is for an epoch nobody
\* reaches, and the Add is never sent), else the earliest pending one.
\* Under AddBeforeWelcome `adding` means the Add is on the log already:
\* only the late Welcome is left to send, nothing to skip.
SkipMsg(d, t) == [type |-> "skipped", uid |-> t, sender |-> d]

DcSkip(d) ==
    /\ Believes(d)
    /\ \/ st[d].adding # NoUid /\ Variant # "AddBeforeWelcome"
       \/ st[d].adding = NoUid /\ st[d].pendingAdds # <<>>
    /\ LET t == IF st[d].adding # NoUid THEN st[d].adding
                ELSE Head(st[d].pendingAdds)
       IN  /\ LeftBeforeAdded(d, t)
           /\ Settle(Append(log, SkipMsg(d, t)),
                     [st EXCEPT ![d] = [@ EXCEPT !.pendingAdds    = Drop(@, t),
                                                 !.pendingRemoves = Drop(@, t),
                                                 !.adding         = NoUid]])
    /\ UNCHANGED <<nextUid, group>>

\* Removes, only once no add is pending (R13).
DcRemove(d) ==
    /\ Variant # "IgnoreRemoves"
    /\ Believes(d)
    /\ st[d].adding = NoUid
    /\ st[d].pendingAdds = <<>>
    /\ st[d].pendingRemoves # <<>>
    /\ SendCommit(d, CommitMsg(d, "remove", Head(st[d].pendingRemoves)), NoUid)

\* A dead room revives (R15): u creates a new MLS group with itself as its
\* only member and is its DC.  It keeps the joiners it tracks, with the
\* removes of those of them who left, to add and remove them as any DC
\* does (R13); the other pending removes name users of the dead group.
\* The new group is the ground truth from now on.
Revive(u) ==
    /\ CanRevive(u)
    /\ st' = [st EXCEPT ![u] =
                [@ EXCEPT !.welcomed       = TRUE,
                          !.tentative      = NoWelcome,
                          !.epoch          = 0,
                          !.by             = u,
                          !.members        = {u},
                          !.pendingRemoves = SelectSeq(@, LAMBDA v :
                                               v \in Range(st[u].pendingAdds))]]
    /\ group' = [epoch |-> 0, by |-> u, members |-> {u}, removed |-> {}]
    /\ UNCHANGED <<log, nextUid>>

DcStep(d) == DcWelcome(d) \/ DcAdd(d) \/ DcAddFirst(d) \/ DcLateWelcome(d)
             \/ DcSkip(d) \/ DcRemove(d) \/ Revive(d)

\* Everyone has arrived and left: nothing can happen any more.  Explicit so
\* that TLC's deadlock check still reports any other state with no step.
AllGone ==
    /\ nextUid > Users
    /\ Active = {}
    /\ UNCHANGED vars

Init ==
    /\ log     = <<>>
    /\ st      = [u \in Uids |-> IF u = 1 THEN Creator ELSE Fresh]
    /\ nextUid = 2
    /\ group   = Genesis

Next ==
    \/ Join
    \/ \E u \in Uids : Leave(u) \/ Read(u) \/ DcStep(u)
    \/ AllGone

Spec == Init /\ [][Next]_vars

\* Every active user keeps taking its own steps -- reading, and the DC's
\* work -- as long as it has one to take; the DS owes nothing (users need
\* not arrive or leave).  One condition per user rather than one per kind
\* of step: a user's reads run out (the log only grows by finitely many
\* entries), so the two forms force the same behaviours, and TLC's liveness
\* check is a third faster with half as many fairness conditions.
Fairness == \A u \in Uids : WF_vars(Read(u) \/ DcStep(u))

FairSpec == Spec /\ Fairness

(***************************************************************************)
(*                              PROPERTIES                                 *)
(* Each is listed in spec/dca.md (section "Properties") with its meaning.  *)
(***************************************************************************)

Messages ==
    [type : {"joined", "left"}, uid : Uids]
    \cup [type : {"skipped"}, uid : Uids, sender : Uids]
    \cup [type : {"welcome"}, target : Uids, epoch : Nat, sender : Uids,
          members : SUBSET Uids, removes : Seq(Uids)]
    \cup [type : {"add", "remove"}, target : Uids, epoch : Nat,
          sender : Uids, parent : Uids \cup {NoUid}]

TypeOK ==
    /\ nextUid \in 2..(Users + 1)
    /\ \A i \in DOMAIN log : log[i] \in Messages
    /\ \A u \in Uids :
        /\ st[u].status \in {"waiting", "active", "gone"}
        /\ st[u].cursor \in 0..Len(log)
        /\ st[u].welcomed \in BOOLEAN
        /\ st[u].tentative \in {NoWelcome} \cup
                                [type : {"welcome"}, target : Uids, epoch : Nat,
                                 sender : Uids, members : SUBSET Uids,
                                 removes : Seq(Uids)]
        /\ st[u].epoch \in Nat /\ st[u].by \in Uids \cup {NoUid}
        /\ st[u].members \subseteq Uids /\ st[u].ahead \subseteq Uids
        /\ st[u].pendingAdds \in Seq(Uids)
        /\ st[u].pendingRemoves \in Seq(Uids)
        /\ st[u].adding \in Uids \cup {NoUid}
    /\ group.epoch \in Nat /\ group.by \in Uids \cup {NoUid}
    /\ group.members \subseteq Uids /\ group.removed \subseteq Uids

\* --- Invariants of the published model --------------------------------

\* No member lists a user twice as pending.
UniquePendings ==
    \A u \in Active : IsUnique(st[u].pendingAdds)
                      /\ IsUnique(st[u].pendingRemoves)

\* UIDs are handed out as 1, 2, ..., n.
UidsEnumerate ==
    {u \in Uids : st[u].status # "waiting"} = 1..(nextUid - 1)

\* Nothing is left to do: every active user has read the whole log and no
\* believing DC has work (nor anyone a dead room to revive).  The DS may
\* still add entries later.
Quiescent ==
    /\ \A u \in Active : st[u].cursor = Len(log)
    /\ \A u \in Uids : ~HasWork(u)

\* The quiescent properties hold of every room, dead or alive (R15): a
\* live user is never left in a dead room.  The one exception is the
\* deserted room, where everyone who arrived has left and the group's
\* membership is that of its last epoch; only QuiescentWelcomesAdded,
\* the one property that speaks of the group, needs it.

\* At quiescence nobody has pending adds or removes.
QuiescentNoPendings ==
    Quiescent =>
        \A u \in Confirmed : st[u].pendingAdds = <<>>
                             /\ st[u].pendingRemoves = <<>>

\* At quiescence all members are in the same epoch (same Commit).
QuiescentEqualEpochs ==
    Quiescent =>
        \A u, v \in Confirmed : st[u].epoch = st[v].epoch /\ st[u].by = st[v].by

\* At quiescence every active user that joined has been welcomed.
QuiescentAllWelcomed ==
    Quiescent => Active = Confirmed

\* At quiescence every Welcome was followed by its Add: nobody waits on an
\* unconfirmed Welcome, and the group is exactly the active members
\* (unless the room is deserted).
QuiescentWelcomesAdded ==
    Quiescent =>
        /\ \A u \in Active : st[u].tentative = NoWelcome
        /\ Deserted \/ group.members = Active

\* Live users are never stranded (blind spot 1, closed by R15): at
\* quiescence, if anyone is active, the group is alive.
QuiescentNotStranded ==
    Quiescent /\ ~Deserted => ~GroupDead

\* At quiescence, if anyone is active, some member believes it is the DC.
QuiescentSomeDc ==
    Quiescent /\ ~Deserted => \E u \in Confirmed : Believes(u)

\* --- Properties of one step that appends a Commit ---------------------
\* Appends never drop log entries (see Settle), so a step appended a
\* Commit exactly when the log grew by one and ends with a Commit.
NewCommit  == Len(log') = Len(log) + 1 /\ IsCommit(log'[Len(log')])
TheCommit  == log'[Len(log')]

\* Commit epochs increase by exactly one: each Commit is made in the
\* group's current epoch.
CommitEpochsIncreaseByOne ==
    [][NewCommit => TheCommit.epoch = group.epoch]_vars

\* No target is added twice, none removed twice (nor re-added).
NoDoubleCommit ==
    [][NewCommit =>
        IF TheCommit.type = "add"
        THEN TheCommit.target \notin group.members \cup group.removed
        ELSE TheCommit.target \in group.members]_vars

\* Every Commit comes from a member that believed it was the DC, made in
\* the epoch it claims, and that epoch is the group's.
CommitsFromBelievedDc ==
    [][NewCommit =>
        LET c == TheCommit IN
        /\ Believes(c.sender)
        /\ c.sender \in group.members
        /\ c.epoch = st[c.sender].epoch /\ c.parent = st[c.sender].by
        /\ c.epoch = group.epoch /\ c.parent = group.by]_vars

\* --- Property of one step that appends a Welcome or an Add (R16) ---------
\* No Welcome and no Add is spent on a user whose `left` its committer has
\* already read: the target is not among the committer's pending removes
\* when it appends the entry.  A DC that has not read the `left` yet cannot
\* help it, so the property asks no more.  (A Remove of such a user needs
\* its Add first: NoDoubleCommit only lets members be removed.)  Fails
\* under NoSkip, the rule before R16.
DcAppend ==
    /\ Len(log') = Len(log) + 1
    /\ log'[Len(log')].type \in {"welcome", "add"}

NoWelcomeOrAddAfterLeft ==
    [][DcAppend =>
        LET m == log'[Len(log')]
        IN  Targets(m) \cap Range(st[m.sender].pendingRemoves) = {}]_vars

\* --- Invariants beyond the published model -----------------------------

\* At most one member believes it is the DC.
AtMostOneBelievesDc ==
    \A u, v \in Uids : Believes(u) /\ Believes(v) => u = v

\* The epoch a member reaches by processing the Commits it has not read
\* yet, as it will process them; "rejected" if MLS would refuse one.
Rejected == Users + 1   \* not a UID: marks a replay MLS would refuse
RECURSIVE ReplayFrom(_, _, _)
ReplayFrom(u, s, i) ==
    IF i > Len(log) THEN s
    ELSE IF ~IsCommit(log[i]) THEN ReplayFrom(u, s, i + 1)
    ELSE CASE CommitOutcome(u, s, log[i]) = "skip"  -> ReplayFrom(u, s, i + 1)
           [] CommitOutcome(u, s, log[i]) = "apply" ->
                  ReplayFrom(u, ApplyCommit(s, log[i]), i + 1)
           [] OTHER -> [s EXCEPT !.by = Rejected]

Replay(u) == ReplayFrom(u, st[u], st[u].cursor + 1)

\* A living DC between Welcome and Add has made a Commit that is not on the
\* log yet; a member welcomed into it is in that next epoch.  Only a
\* Welcome that counts at once (the published rule) can put a member there,
\* so the exception exists for that variant alone and weakens nothing else.
InFlightFor(u) ==
    \E d \in Active : /\ Variant = "FirstWelcomeCounts"
                      /\ st[d].adding = u
                      /\ st[u].epoch = st[d].epoch + 1 /\ st[u].by = d

\* No fork: every member is in an epoch the group actually reaches -- once
\* it has processed the Commits still ahead of it on the log, it is in the
\* group's epoch, identified by its Commit and not only by its number.
NoFork ==
    \A u \in Confirmed :
        LET r == Replay(u)
        IN  (r.epoch = group.epoch /\ r.by = group.by) \/ InFlightFor(u)

\* Each member's view of the membership is the true one of its epoch.
ViewMatchesGroup ==
    \A u \in Confirmed :
        LET r == Replay(u)
        IN  (r.epoch = group.epoch /\ r.by = group.by)
               => r.members = group.members

\* --- Liveness (checked under FairSpec) ----------------------------------

\* A joined user that does not leave is eventually welcomed, whether the
\* group it joined lives or dies (R15).
JoinerEventuallyWelcomed ==
    \A u \in Uids :
        (st[u].status = "active" /\ ~st[u].welcomed)
            ~> (st[u].welcomed \/ st[u].status = "gone")

\* All work done: everyone active is a member, caught up, in the group's
\* epoch, with nothing pending, and the group is exactly them.
Converged ==
    /\ \A u \in Active :
        /\ st[u].welcomed /\ st[u].cursor = Len(log)
        /\ st[u].epoch = group.epoch /\ st[u].by = group.by
        /\ st[u].pendingAdds = <<>> /\ st[u].pendingRemoves = <<>>
        /\ st[u].adding = NoUid
    /\ group.members = Active

\* Churn is finite (at most Users joins and leaves), so every behaviour
\* reaches a point after which the DS is silent; from then on the active
\* users must all end as members in one epoch, unless everyone has left.
EventuallyConverged == <>[](Deserted \/ Converged)

=============================================================================
