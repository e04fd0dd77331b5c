using Akka.Actor;
using Akka.Event;

namespace Supervise.Cluster;

/// <summary>
/// The singleton instance on its node: starts a Supervise tree for the child, forwards what it is sent to
/// the child's stable address (the child's degradation policies apply there), and on hand-over stops the
/// tree before it stops itself, so the next node starts the child only once this one is gone.
/// </summary>
internal sealed class SingletonHost : ReceiveActor, IWithStash
{
    private static int _incarnations;
    private readonly SupervisorSpec _spec;
    private readonly string _childId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HostedTree _hosted = new();
    private SupervisionTree? _tree;
    private ChildAddress? _address;
    private bool _handingOver;

    public SingletonHost(SupervisorSpec spec, string childId)
    {
        _spec = spec;
        _childId = childId;
        Receive<Ready>(OnReady);
        Receive<StartFailed>(f => throw new InvalidOperationException($"The supervised singleton '{_childId}' could not start on this node: {f.Error.Message}", f.Error));
        Receive<HandOver>(_ => _handingOver = true);
        ReceiveAny(_ => Stash.Stash());
    }

    public IStash Stash { get; set; } = null!;

    protected override void PreStart()
    {
        var name = $"singleton-{_childId}-{Interlocked.Increment(ref _incarnations)}";
        _hosted.Start(Context.System, _spec, name, _childId, Self, (tree, address) => new Ready(tree, address), e => new StartFailed(e));
    }

    // Stopped without a hand-over (its node is going down, or its manager restarts it): its tree goes with it.
    protected override void PostStop() => _ = _hosted.StopAsync();

    private void OnReady(Ready ready)
    {
        _tree = ready.Tree;
        _address = ready.Address;
        _log.Info("Supervised singleton {0} runs on this node (tree {1})", _childId, ready.Tree.Name);
        var self = Self;
        _ = ready.Tree.Completion.ContinueWith(t => self.Tell(new TreeStopped(t.Result)), TaskScheduler.Default);
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
        _hosted.StopAsync().ContinueWith(_ => self.Tell(HandedOver.Instance), TaskScheduler.Default);
    }

    /// <summary>The manager's termination message: the singleton moves to another node.</summary>
    internal sealed class HandOver
    {
        public static readonly HandOver Instance = new();
    }

    private sealed record Ready(SupervisionTree Tree, ChildAddress Address);

    private sealed record StartFailed(Exception Error);

    private sealed record TreeStopped(TreeOutcome Outcome);

    private sealed class HandedOver
    {
        public static readonly HandedOver Instance = new();
    }
}
