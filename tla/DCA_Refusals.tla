----------------------------- MODULE DCA_Refusals -----------------------------
(***************************************************************************)
(* A delivery service that forges any field of any entry that MLS or the   *)
(* member's own checks bind (spec/welcome-auth.md section 5): the reader   *)
(* refuses the entry, and a refused entry is as if not received -- the     *)
(* member moves past it and nothing else about it changes (spec/dca.md     *)
(* section 9, "Bad input").  So the whole power such a forgery gives the   *)
(* DS is to make any member skip any entry: Refuse(u).  (The               *)
(* implementation may then refuse later entries too, e.g. every `joined`   *)
(* after a refused one; those are more Refuse steps, so this over-         *)
(* approximates it.)                                                       *)
(*                                                                         *)
(* What is claimed, and checked: such refusals never make two members      *)
(* believe they are the DC (AtMostOneBelievesDc).  They do break the       *)
(* properties that speak of the group's progress: a member that skipped a  *)
(* Commit stays behind (NoFork), and if it comes first in the ranking it   *)
(* commits in its stale epoch, which every other member refuses            *)
(* (CommitsFromBelievedDc) -- denial of service, out of scope.             *)
(*                                                                         *)
(* RefusalRule picks what a refusal of a `joined v` (a garbled KeyPackage) *)
(* does (spec/welcome-auth.md section 5, R16):                             *)
(*   "Silent" - the rule of R15 alone: as if not received.  The refuser    *)
(*              does not know v, so as DC it adds later arrivals before v  *)
(*              (against R11); once the users present at v's arrival have  *)
(*              left, v revives apart while a later arrival is DC of the   *)
(*              old group: two DCs (tla/Gap_RefusalSplit.cfg, must fail).  *)
(*   "Skip"   - the refuser still counts v as a pending joiner, in arrival *)
(*              order, but one it can never add: as DC it skips v (R16's   *)
(*              DcSkip, `skipped v`) instead of welcoming it.  v, reading  *)
(*              `skipped v`, knows it was refused and never revives (it    *)
(*              stops, or arrives again as a new user); so does a user     *)
(*              that refused any entry before it was welcomed: it cannot   *)
(*              know the entry was not its own `skipped`.                  *)
(*                                                                         *)
(*            With "Skip", a joiner may be skipped while still there, so  *)
(*            (session 9, found checking the implementation against this  *)
(*            module) the DS neither counts a skipped user present nor    *)
(*            announces its departure (RJoin, RGoSilently), and a reader  *)
(*            counts the `left` of a user it read skipped, or skipped,    *)
(*            only to stop ranking it (LeftOfSkipped): else a later DC    *)
(*            holds a remove of a non-member, which MLS cannot commit     *)
(*            (RemovesAreMembers, for a DS garbling KeyPackages only:     *)
(*            test/refusals-model.test.ts).                               *)
(*                                                                         *)
(* Every other step is DCA's own; nothing here changes DCA.tla.  The       *)
(* configurations of "Skip" substitute RLeftBeforeAdded for DCA's          *)
(* LeftBeforeAdded, the one place where R16 decides to skip.               *)
(***************************************************************************)
EXTENDS DCA_Inputs

CONSTANT RefusalRule
ASSUME RefusalRule \in {"Silent", "Skip"}

VARIABLES
    refusedJoins,  \* refusedJoins[u]: the joiners whose `joined` u refused
    stopped,       \* users that know, or cannot rule out, that they were refused
    skippedSeen,   \* skippedSeen[u]: with "Skip", the users whose `skipped` u read
    skippedUsers   \* with "Skip", the users a DC skipped (the DS reads it off its log)

rvars == <<vars, refusedJoins, stopped, skippedSeen, skippedUsers>>

\* R16's condition to skip, with "Skip": a joiner that left, or whose
\* `joined` the DC refused.  (Written out rather than calling DCA's, which
\* the configuration replaces by this.)
RLeftBeforeAdded(d, t) ==
    /\ Variant # "NoSkip"
    /\ t \in Range(st[d].pendingRemoves) \cup refusedJoins[d]

\* u refuses the next entry: it moves past it, its state otherwise
\* unchanged -- but with "Skip", a refused `joined v` still makes v a pending
\* joiner of u, one it will skip, and a user not yet welcomed stops.
Refuse(u) ==
    /\ st[u].status = "active"
    /\ HasNext(u)
    /\ LET m == NextEntry(u)
           s == [st[u] EXCEPT !.cursor = @ + 1]
           joined == RefusalRule = "Skip" /\ m.type = "joined"
       IN  /\ Settle(log, [st EXCEPT ![u] =
                            IF joined THEN [s EXCEPT !.pendingAdds = Append(@, m.uid)]
                            ELSE s])
           /\ refusedJoins' = IF joined
                              THEN [refusedJoins EXCEPT ![u] = @ \cup {m.uid}]
                              ELSE refusedJoins
           /\ stopped' = IF RefusalRule = "Skip" /\ ~st[u].welcomed
                         THEN stopped \cup {u} ELSE stopped
    /\ UNCHANGED <<nextUid, group>>

\* With "Skip", a joiner may be skipped while alive (its `joined` refused),
\* stop, and leave after its skip.  Its `left` then only ends the reader's
\* ranking of it (R15): it was never added, so nobody removes it -- a pending
\* remove of it would have a later DC commit the removal of a non-member,
\* which MLS refuses (RemovesAreMembers; spec/welcome-auth.md section 5).
\* Unless the reader sees it as a member, or in the Welcome it holds.
LeftOfSkipped(u) ==
    /\ RefusalRule = "Skip"
    /\ NextEntry(u).type = "left"
    /\ LET v == NextEntry(u).uid
       IN  /\ v \in skippedSeen[u]
           /\ v \notin st[u].members
           /\ st[u].tentative.type = "welcome" => v \notin st[u].tentative.members

RLeftSkipped(u) ==
    /\ Settle(log, [st EXCEPT ![u] = [@ EXCEPT !.cursor = @ + 1,
                                                !.ahead  = @ \ {NextEntry(u).uid}]])
    /\ UNCHANGED <<nextUid, group>>

\* With "Skip", a user reading `skipped` about itself knows it was refused.
ReadOwnSkip(u) ==
    /\ st[u].status = "active"
    /\ HasNext(u)
    /\ IF LeftOfSkipped(u) THEN RLeftSkipped(u) ELSE Read(u)
    /\ stopped' = IF /\ RefusalRule = "Skip"
                     /\ NextEntry(u).type = "skipped" /\ NextEntry(u).uid = u
                  THEN stopped \cup {u} ELSE stopped
    /\ skippedSeen' = (IF RefusalRule = "Skip" /\ NextEntry(u).type = "skipped"
                       THEN [skippedSeen EXCEPT ![u] = @ \cup {NextEntry(u).uid}]
                       ELSE skippedSeen)
    /\ UNCHANGED <<refusedJoins, skippedUsers>>

\* The DC's steps but its skip, which the DC remembers as a reader of it
\* would: with "Skip" it may skip a joiner whose `joined` it refused before
\* it reads that joiner's `left`, which is then the `left` of a skipped user.
RDcStep(d) == DcWelcome(d) \/ DcAdd(d) \/ DcAddFirst(d) \/ DcLateWelcome(d)
              \/ DcRemove(d) \/ Revive(d)

\* The joiner DcSkip(d) skips (the one under way, else the head of the joiners).
SkipTarget(d) == IF st[d].adding # NoUid THEN st[d].adding ELSE Head(st[d].pendingAdds)

\* A skipped user goes with no `left` on the log (see RJoin).
RGoSilently(u) ==
    /\ st[u].status = "active"
    /\ Settle(log, [st EXCEPT ![u] = Gone])
    /\ UNCHANGED <<nextUid, group>>

RInit == Init /\ refusedJoins = [u \in Uids |-> {}] /\ stopped = {}
             /\ skippedSeen = [u \in Uids |-> {}] /\ skippedUsers = {}

\* With "Skip", the DS does not count a skipped user as present for later
\* arrivals (R2), and never announces its departure: it was never added and
\* never will be, nobody tracks it once they read its skip, and its `left`
\* would give a later arrival, which never read that skip, a pending remove
\* of a user that is no member, which MLS cannot commit (RemovesAreMembers).
\* (An honest DC skips a joiner only after its `left`: no change there.)
RJoin ==
    /\ nextUid <= Users
    /\ LET u == nextUid
           l == Append(log, [type |-> "joined", uid |-> u])
           present == IF Variant = "NoPresentList" THEN 1..(u - 1)
                      ELSE Active \ skippedUsers
       IN  Settle(l, [st EXCEPT ![u] = [Fresh EXCEPT !.status = "active",
                                                     !.cursor = Len(l),
                                                     !.ahead  = present]])
    /\ nextUid' = nextUid + 1
    /\ UNCHANGED group

\* DCA's Next, with reads that may stop their reader, and no revive by a
\* stopped user.  A user that leaves is forgotten (DCA resets its state to
\* Gone, a state-space reduction; these two variables follow).
RNext ==
    \/ \E u \in Uids : ReadOwnSkip(u)
    \/ \E u \in Uids : /\ IF u \in skippedUsers THEN RGoSilently(u) ELSE Leave(u)
                      /\ refusedJoins' = [refusedJoins EXCEPT ![u] = {}]
                      /\ stopped' = stopped \ {u}
                      /\ skippedSeen' = [skippedSeen EXCEPT ![u] = {}]
                      /\ UNCHANGED skippedUsers
    \/ /\ \/ IF RefusalRule = "Skip" THEN RJoin ELSE Join
          \/ AllGone
          \/ \E u \in Uids : RDcStep(u) /\ ~(u \in stopped /\ Revive(u))
       /\ UNCHANGED <<refusedJoins, stopped, skippedSeen, skippedUsers>>
    \/ \E u \in Uids : /\ DcSkip(u)
                      /\ skippedSeen' = (IF RefusalRule = "Skip"
                                         THEN [skippedSeen EXCEPT ![u] = @ \cup {SkipTarget(u)}]
                                         ELSE skippedSeen)
                      /\ skippedUsers' = (IF RefusalRule = "Skip"
                                          THEN skippedUsers \cup {SkipTarget(u)}
                                          ELSE skippedUsers)
                      /\ UNCHANGED <<refusedJoins, stopped>>
    \/ \E u \in Uids : Refuse(u) /\ UNCHANGED <<skippedSeen, skippedUsers>>

RSpec == RInit /\ [][RNext]_rvars

RefusalsTypeOK ==
    /\ refusedJoins \in [Uids -> SUBSET Uids]
    /\ stopped \subseteq Uids
    /\ skippedSeen \in [Uids -> SUBSET Uids]
    /\ skippedUsers \subseteq Uids

\* A DC removes only members: whenever it may commit a remove (R13), its
\* target is a member as it sees it -- MLS cannot remove anyone else.
RemovesAreMembers ==
    \A u \in Active :
        (Believes(u) /\ st[u].adding = NoUid /\ st[u].pendingAdds = <<>>
                     /\ st[u].pendingRemoves # <<>>)
            => Head(st[u].pendingRemoves) \in st[u].members
=============================================================================
