using System.Diagnostics;
using Akka.Actor;
using Akka.Event;

namespace Supervise.Cluster;

/// <summary>
/// The singleton instance on its node: starts a Supervise tree for the child, hands what it is sent to the
/// child's stable address (the child's degradation policies apply there) and confirms each delivery to the
/// <see cref="SingletonAddress"/> that sent it; on hand-over it stops the tree before it stops itself, so
/// the next node starts the child only once this one is gone. If the tree gives up (or cannot start), the
/// singleton manager restarts this host, which waits a growing delay before it starts the tree again.
/// </summary>
internal sealed class SingletonHost : TreeHostActor
{
    private static int _incarnations;
    private readonly string _childId;
    private readonly RestartDelays _delays;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Stopwatch _running = new();
    private int _attempt; // give-ups in a row before this start (0: a first start)
    private readonly SingletonSpecs.Entry _entry;
    private ChildAddress? _address;
    /// <summary>The markers sent behind deliveries and not answered yet, with the child each went to.</summary>
    private readonly Dictionary<Taken, IActorRef> _awaiting = [];
    private readonly HashSet<IActorRef> _watched = [];
    private bool _handingOver;
    private SupervisorSpec? _startedFrom;
    private SupervisionTree? _tree;

    public SingletonHost(SingletonSpecs.Entry entry, string childId, RestartDelays delays)
        : base(entry.Spec, childId, $"singleton-{childId}-{Interlocked.Increment(ref _incarnations)}")
    {
        _entry = entry;
        _childId = childId;
        _delays = delays;
        Receive<HandOver>(_ =>
        {
            _handingOver = true;
            if (!TreeStartBegun)
            {
                Context.Stop(Self); // still waiting for its restart delay: nothing to hand over
            }
        });
        // Answers about an earlier tree's child (this host restarted since): said at once, not stashed until the next tree runs.
        Receive<ActorIdentity>(Confirm);
        Receive<Terminated>(t => Gone(t.ActorRef));
        AwaitTree();
    }

    protected override string What => $"The supervised singleton '{_childId}'";

    /// <summary>The spec this node runs the singleton from now (its latest accepted upgrade).</summary>
    protected override SupervisorSpec Spec => _startedFrom = _entry.Spec;

    protected override void PostStop()
    {
        if (_tree is not null && ReferenceEquals(_entry.Running, _tree))
        {
            _entry.Running = null; // this host's tree goes with it: an upgrade on this node no longer finds it
        }

        base.PostStop();
    }

    protected override bool StopOnFailure => _handingOver;

    protected override TimeSpan StartDelay => _attempt == 0 ? TimeSpan.Zero : _delays.After(_attempt);

    protected override Exception Failure(string message, Exception? cause) =>
        new SingletonTreeFailedException(message, cause, _attempt + 1, _running.Elapsed);

    protected override void PostRestart(Exception reason)
    {
        // A tree that ran longer than the longest delay before it failed starts the count again.
        if (reason is SingletonTreeFailedException failed)
        {
            _attempt = failed.RanFor > _delays.Max ? 1 : failed.Attempt;
            _log.Warning("Supervised singleton {0} failed ({1} in a row); its tree starts again in {2} ms", _childId, _attempt, StartDelay.TotalMilliseconds);
        }

        base.PostRestart(reason);
    }

    protected override void OnReady(Ready ready)
    {
        _address = ready.Address;
        _running.Start();
        _tree = ready.Tree;
        _entry.Running = ready.Tree;
        _log.Info("Supervised singleton {0} runs on this node (tree {1})", _childId, ready.Tree.Name);
        if (!ReferenceEquals(_startedFrom, _entry.Spec))
        {
            // Upgraded on this node while its tree was starting from the spec before: it takes the latest now.
            _ = SupervisedSingleton.UpgradeRunningAsync(_entry, ready.Tree, _entry.Spec, new UpgradeOptions(), _log, _childId, restore: _startedFrom);
        }

        if (_handingOver)
        {
            BeginHandOver();
            Stash.UnstashAll();
            return;
        }

        Become(() =>
        {
            Receive<HandOver>(_ => BeginHandOver());
            Receive<TreeStopped>(stopped =>
            {
                if (stopped.Outcome.Reason == TreeStopReason.Stopped)
                {
                    Context.Stop(Self); // stopped with its actor system: this node is going away
                    return;
                }

                // Its tree gave up: the singleton manager restarts this host, which starts a new tree after its delay.
                throw Failure(
                    $"The tree supervising singleton '{_childId}' stopped ({stopped.Outcome.Reason}): its restart intensity was exceeded.", stopped.Outcome.Error);
            });
            Receive<SingletonDelivery>(d =>
            {
                if (ready.Tree.Completion.IsCompleted)
                {
                    Stash.Stash(); // its tree gave up: kept for the next tree, and confirmed then
                    return;
                }

                Deliver(ready.Address, d);
            });
            Receive<ActorIdentity>(Confirm);
            Receive<Terminated>(t => Gone(t.ActorRef));
            Receive<SingletonProbe>(p => p.Address.Tell(new SingletonHere(_childId)));
            ReceiveAny(m => ready.Address.Forward(m));
        });
        Stash.UnstashAll();
    }

    /// <summary>
    /// Gives a delivery to the child's address, and confirms it once the child has taken it: the address learns at once
    /// that it is in the child's mailbox (it is then not sent again while this host lives, however long the queue), and a
    /// marker (<see cref="Identify"/>, answered by Akka, never by the child's code) goes to the child right behind it, whose
    /// answer confirms. A message still in the mailbox of a child that dies with its node is never confirmed, so its
    /// address sends it again to the next instance; one that went with the mailbox of a child that stopped (its marker
    /// answered without a subject, or never, the child gone) is sent again after the confirm timeout. Where the child's
    /// policy took it instead (held, answered by a stand-in, or rejected), it is confirmed at once; one dropped here is not.
    /// </summary>
    private void Deliver(ChildAddress address, SingletonDelivery d)
    {
        var child = address.Current;
        var dropped = address.Dropped;
        address.Tell(d.Message, Sender);
        if (address.Dropped != dropped)
        {
            // Dropped here (the child does not run on this node now, its tree perhaps ending): not confirmed, so its address
            // sends it again, to this instance's next incarnation or to the next node's, and reports it if none ever takes it.
            return;
        }

        if (child is null)
        {
            d.Address.Tell(new SingletonReceived(d.Sequence)); // its policy took it: held, answered by a stand-in, or rejected
            return;
        }

        // Behind it, to the child it was meant for (a child replaced meanwhile answers "not taken": sent again, at worst twice).
        var taken = new Taken(d.Sequence, d.Address);
        d.Address.Tell(new SingletonReceived(d.Sequence, Receipt.Accepted));
        if (_watched.Add(child))
        {
            Context.Watch(child);
        }

        _awaiting[taken] = child;
        child.Tell(new Identify(taken), Self);
    }

    /// <summary>The child took a delivery, or its mailbox went without it (the marker behind it says which): said to its address.</summary>
    private void Confirm(ActorIdentity identity)
    {
        if (identity.MessageId is Taken taken)
        {
            _awaiting.Remove(taken);
            // No subject: the marker went with the child's mailbox (a dead letter), and the message with it.
            var stage = identity.Subject is null || identity.Subject.IsNobody() ? Receipt.NotTaken : Receipt.Taken;
            taken.Address.Tell(new SingletonReceived(taken.Sequence, stage));
        }
    }

    /// <summary>
    /// A child that had markers to answer is gone: those not answered yet (a mailbox closing can lose a message without a
    /// dead letter) are said not taken, so that their addresses send them again. One answered after all is confirmed then.
    /// </summary>
    private void Gone(IActorRef child)
    {
        _watched.Remove(child);
        foreach (var taken in _awaiting.Where(a => a.Value.Equals(child)).Select(a => a.Key).ToList())
        {
            _awaiting.Remove(taken);
            taken.Address.Tell(new SingletonReceived(taken.Sequence, Receipt.NotTaken));
        }
    }

    private void BeginHandOver()
    {
        _handingOver = true;
        _log.Info("Supervised singleton {0} hands over: stopping its tree", _childId);
        var address = _address!;
        Become(() =>
        {
            Receive<HandedOver>(_ => Context.Stop(Self));
            Receive<TreeStopped>(_ => { });
            Receive<ActorIdentity>(Confirm); // taken before the tree stopped: confirmed, not sent to the next instance again
            Receive<Terminated>(t => Gone(t.ActorRef));
            // Not confirmed, and not answered: the addresses that sent them send them to the next instance.
            Receive<SingletonDelivery>(_ => { });
            Receive<SingletonProbe>(_ => { });
            // Sent here directly (not through a singleton address): to the child's address while its tree stops; its policy decides, and what it drops is counted and reported.
            ReceiveAny(m => address.Forward(m));
        });

        // Done when the tree's root has terminated, not merely when it says it stopped: only then may the next node start the child.
        var self = Self;
        Hosted.StopAsync().ContinueWith(_ => self.Tell(HandedOver.Instance), TaskScheduler.Default);
    }

    /// <summary>The marker behind delivery <paramref name="Sequence"/>: answered once the child has taken it.</summary>
    private sealed record Taken(long Sequence, IActorRef Address);

    /// <summary>The manager's termination message: the singleton moves to another node.</summary>
    internal sealed class HandOver
    {
        public static readonly HandOver Instance = new();
    }

    private sealed class HandedOver
    {
        public static readonly HandedOver Instance = new();
    }
}

/// <summary>How long a singleton host waits before it starts its tree again after failures in a row: doubling from <paramref name="Min"/> up to <paramref name="Max"/>.</summary>
internal sealed record RestartDelays(TimeSpan Min, TimeSpan Max)
{
    public TimeSpan After(int failures) =>
        TimeSpan.FromTicks((long)Math.Min(Max.Ticks, Min.Ticks * Math.Pow(2, Math.Min(failures - 1, 30))));
}

/// <summary>A supervised singleton's tree gave up or could not start: its manager restarts the host, which waits first.</summary>
internal sealed class SingletonTreeFailedException(string message, Exception? cause, int attempt, TimeSpan ranFor) : Exception(message, cause)
{
    /// <summary>Failures in a row, this one included.</summary>
    public int Attempt { get; } = attempt;

    /// <summary>How long the tree ran before it failed.</summary>
    public TimeSpan RanFor { get; } = ranFor;
}
