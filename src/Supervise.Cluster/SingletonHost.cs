using Akka.Actor;
using Akka.Event;

namespace Supervise.Cluster;

/// <summary>
/// The singleton instance on its node: starts a Supervise tree for the child, forwards what it is sent to
/// the child's stable address (the child's degradation policies apply there), and on hand-over stops the
/// tree before it stops itself, so the next node starts the child only once this one is gone.
/// </summary>
internal sealed class SingletonHost : TreeHostActor
{
    private static int _incarnations;
    private readonly string _childId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ChildAddress? _address;
    private bool _handingOver;

    public SingletonHost(SupervisorSpec spec, string childId)
        : base(spec, childId, $"singleton-{childId}-{Interlocked.Increment(ref _incarnations)}")
    {
        _childId = childId;
        Receive<HandOver>(_ => _handingOver = true);
        AwaitTree();
    }

    protected override string What => $"The supervised singleton '{_childId}'";

    protected override void OnReady(Ready ready)
    {
        _address = ready.Address;
        _log.Info("Supervised singleton {0} runs on this node (tree {1})", _childId, ready.Tree.Name);
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

                // Its tree gave up: the singleton manager restarts this host, which starts a new tree.
                throw new InvalidOperationException(
                    $"The tree supervising singleton '{_childId}' stopped ({stopped.Outcome.Reason}): its restart intensity was exceeded.", stopped.Outcome.Error);
            });
            ReceiveAny(m => ready.Address.Forward(m));
        });
        Stash.UnstashAll();
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
            // Still to the child's address while its tree stops: its policy decides, and what it drops is counted and reported.
            ReceiveAny(m => address.Forward(m));
        });

        // Done when the tree's root has terminated, not merely when it says it stopped: only then may the next node start the child.
        var self = Self;
        Hosted.StopAsync().ContinueWith(_ => self.Tell(HandedOver.Instance), TaskScheduler.Default);
    }

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
