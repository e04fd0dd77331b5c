using Akka.Actor;

namespace Supervise.Cluster;

/// <summary>
/// What a singleton host and an entity host share: until the child's tree has started, messages wait in
/// the stash (a derived host may handle some first: it calls <see cref="AwaitTree"/> after its own
/// receives); then <see cref="OnReady"/> takes over. The tree stops with the host (<see cref="HostedTree"/>).
/// </summary>
internal abstract class TreeHostActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly SupervisorSpec _spec;
    private readonly string _childId;
    private readonly string _treeName;

    protected TreeHostActor(SupervisorSpec spec, string childId, string treeName)
    {
        _spec = spec;
        _childId = childId;
        _treeName = treeName;
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    protected HostedTree Hosted { get; } = new();

    /// <summary>The spec the tree starts from (a singleton's may have been upgraded since this host was made).</summary>
    protected virtual SupervisorSpec Spec => _spec;

    /// <summary>Names what this host runs, for errors: "the supervised singleton 'x'", "entity 7 of counters".</summary>
    protected abstract string What { get; }

    /// <summary>Registers the receives that wait for the tree: call it last in the derived constructor.</summary>
    protected void AwaitTree()
    {
        Receive<Ready>(ready =>
        {
            var self = Self;
            _ = ready.Tree.Completion.ContinueWith(t => self.Tell(new TreeStopped(t.Result)), TaskScheduler.Default);
            ClusterHealth.Hosted(Context.System, ready.Tree); // in the cluster's health view while it runs here
            OnReady(ready);
        });
        Receive<StartFailed>(f =>
        {
            if (StopOnFailure)
            {
                Context.Stop(Self); // going away anyway (a hand-over): stopping is what its parent waits for
                return;
            }

            throw Failure($"{What} could not start on this node: {f.Error.Message}", f.Error);
        });
        Receive<StartTree>(_ => StartTreeNow());
        ReceiveAny(_ => Stash.Stash());
    }

    /// <summary>How long to wait before starting the tree (a host restarted after its tree gave up waits its backoff).</summary>
    protected virtual TimeSpan StartDelay => TimeSpan.Zero;

    /// <summary>Whether the tree's start has begun (false while <see cref="StartDelay"/> runs).</summary>
    protected bool TreeStartBegun { get; private set; }

    /// <summary>Whether a failed start stops this host instead of failing to its parent (it is being stopped anyway).</summary>
    protected virtual bool StopOnFailure => false;

    /// <summary>The exception this host fails with when its tree cannot start or gives up (its parent restarts it).</summary>
    protected virtual Exception Failure(string message, Exception? cause) => new InvalidOperationException(message, cause);

    protected override void PreStart()
    {
        if (StartDelay > TimeSpan.Zero)
        {
            Timers.StartSingleTimer(StartTree.Instance, StartTree.Instance, StartDelay);
        }
        else
        {
            StartTreeNow();
        }
    }

    private void StartTreeNow()
    {
        TreeStartBegun = true;
        Hosted.Start(Context.System, Spec, _treeName, _childId, Self, (tree, address) => new Ready(tree, address), e => new StartFailed(e));
    }

    // Stopped (its node is going down, its manager or shard restarts or stops it): its tree goes with it.
    protected override void PostStop() => _ = Hosted.StopAsync();

    /// <summary>The tree runs; its child answers at <c>ready.Address</c>. A <see cref="TreeStopped"/> follows when the tree stops.</summary>
    protected abstract void OnReady(Ready ready);

    protected sealed record Ready(SupervisionTree Tree, ChildAddress Address);

    protected sealed record TreeStopped(TreeOutcome Outcome);

    private sealed record StartFailed(Exception Error);

    private sealed class StartTree
    {
        public static readonly StartTree Instance = new();
    }
}
