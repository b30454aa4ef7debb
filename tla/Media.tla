------------------------------- MODULE Media -------------------------------
(***************************************************************************)
(* Media keys across epoch changes (spec/media.md; impl/media/).          *)
(*                                                                         *)
(* The group moves through epochs, each with its membership (the DCA's    *)
(* Commits, abstracted: any one add or remove per epoch).  Each member    *)
(* processes the Commits in order at its own pace; a member removed by a  *)
(* Commit leaves when it processes it.  Members send frames in the epoch  *)
(* they are in; the network delivers each frame to each other user at any *)
(* later time.  A receiver decrypts a frame if it holds the key of the    *)
(* frame's epoch: it holds the keys of the last KeepPast epochs it has    *)
(* reached and was a member of.  A frame of an epoch the receiver has not *)
(* reached yet is held (not delivered) until it gets there or leaves.     *)
(*                                                                         *)
(* Checked: nobody decrypts a frame of an epoch it was not a member of    *)
(* (MediaSecrecy), and a frame is lost only by a receiver that was not a  *)
(* member of its epoch or had moved Window or more epochs past it when it *)
(* arrived (NoLossWithinWindow).  With KeepPast < Window -- KeepPast = 1  *)
(* is the published design, which keeps no past-epoch keys -- the second  *)
(* fails (tla/MediaMutant_NoPastEpochKeys.cfg).                           *)
(***************************************************************************)
EXTENDS Integers, FiniteSets

CONSTANTS Users, MaxEpoch, Window, KeepPast

ASSUME Window \in 1..MaxEpoch /\ KeepPast \in 1..Window

Uids    == 1..Users
Epochs  == 0..MaxEpoch
NotIn   == -1          \* not in the group yet
Gone    == -2          \* removed, and has processed its removal

VARIABLES
    gepoch,   \* the group's newest epoch
    mem,      \* mem[e]: the members of epoch e
    at,       \* at[u]: the newest epoch u has processed, NotIn or Gone
    inflight, \* frames on their way: <<sender, epoch, receiver>>
    sent,     \* frames sent: <<sender, epoch>> (one per member and epoch)
    last      \* the latest delivery: [f, r, then (r's epoch then), ok]; only
              \* the latest, so the history does not multiply the states

vars == <<gepoch, mem, at, inflight, sent, last>>

NoDelivery == [s |-> 0, e |-> 0, r |-> 0, then |-> NotIn, ok |-> TRUE]

InGroup(u) == at[u] \in Epochs

\* The epochs whose keys u holds: the last KeepPast it reached, as a member.
Keys(u) == IF InGroup(u)
           THEN {e \in Epochs : e <= at[u] /\ at[u] - e < KeepPast /\ u \in mem[e]}
           ELSE {}

Init ==
    /\ gepoch = 0
    /\ mem = [e \in Epochs |-> IF e = 0 THEN {1} ELSE {}]
    /\ at = [u \in Uids |-> IF u = 1 THEN 0 ELSE NotIn]
    /\ inflight = {} /\ sent = {} /\ last = NoDelivery

\* The DC's Commit: one user added or removed (the group never empties).
Commit ==
    /\ gepoch < MaxEpoch
    /\ \E u \in Uids :
         LET m == IF u \in mem[gepoch] THEN mem[gepoch] \ {u} ELSE mem[gepoch] \cup {u}
         IN  /\ m # {}
             /\ at[u] # Gone           \* a removed user comes back only as a new one
             /\ mem' = [mem EXCEPT ![gepoch + 1] = m]
    /\ gepoch' = gepoch + 1
    /\ UNCHANGED <<at, inflight, sent, last>>

\* u enters the group from a Welcome into the epoch that added it.
Welcome(u) ==
    /\ at[u] = NotIn
    /\ \E e \in 1..gepoch : u \in mem[e] /\ u \notin mem[e - 1] /\ at' = [at EXCEPT ![u] = e]
    /\ UNCHANGED <<gepoch, mem, inflight, sent, last>>

\* u processes the next Commit: into the next epoch, or out if it removes u.
Process(u) ==
    /\ InGroup(u) /\ at[u] < gepoch
    /\ at' = [at EXCEPT ![u] = IF u \in mem[at[u] + 1] THEN at[u] + 1 ELSE Gone]
    /\ UNCHANGED <<gepoch, mem, inflight, sent, last>>

\* u sends a frame in its epoch, to one receiver (one frame per sender and
\* epoch: every frame is alike, and one receiver per frame keeps the states few).
Send(u) ==
    /\ InGroup(u) /\ <<u, at[u]>> \notin sent
    /\ sent' = sent \cup {<<u, at[u]>>}
    /\ \E r \in Uids \ {u} : inflight' = inflight \cup {<<u, at[u], r>>}
    /\ UNCHANGED <<gepoch, mem, at, last>>

\* A frame reaches its receiver; one of an epoch the receiver is still to reach is held.
Deliver(f) ==
    /\ f \in inflight
    /\ LET r == f[3]  e == f[2]
       IN  /\ ~(InGroup(r) /\ e > at[r] /\ r \in mem[e])
           /\ last' = [s |-> f[1], e |-> e, r |-> r, then |-> at[r], ok |-> e \in Keys(r)]
    /\ inflight' = inflight \ {f}
    /\ UNCHANGED <<gepoch, mem, at, sent>>

Next ==
    \/ Commit
    \/ \E u \in Uids : Welcome(u) \/ Process(u) \/ Send(u)
    \/ \E f \in inflight : Deliver(f)

Spec == Init /\ [][Next]_vars

TypeOK ==
    /\ gepoch \in Epochs
    /\ \A u \in Uids : at[u] \in Epochs \cup {NotIn, Gone}
    /\ inflight \subseteq Uids \X Epochs \X Uids

\* Nobody decrypts a frame of an epoch it was not a member of.
MediaSecrecy == last.ok => last.r = 0 \/ last.r \in mem[last.e]

\* A frame is lost only by a receiver that was not a member of its epoch, or
\* had moved Window or more epochs past it when the frame arrived.
NoLossWithinWindow ==
    ~last.ok => last.r \notin mem[last.e] \/ last.then \notin Epochs \/ last.then - last.e >= Window
=============================================================================
