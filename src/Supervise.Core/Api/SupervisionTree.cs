using Akka.Actor;
using Supervise.Chaos;
using Supervise.Runtime;

namespace Supervise;

/// <summary>A running supervision tree: its root, and how it ends.</summary>
public sealed class SupervisionTree : IAsyncDisposable
{
    private readonly RootLink _link;

    private readonly TreeRuntime _runtime;

    internal SupervisionTree(string name, SupervisorHandle root, RootLink link, TreeRuntime runtime)
    {
        Name = name;
        Root = root;
        _link = link;
        _runtime = runtime;
    }

    /// <summary>The tree's name (its root's path).</summary>
    public string Name { get; }

    /// <summary>Calls on the root supervisor.</summary>
    public SupervisorHandle Root { get; }

    /// <summary>The actor system the tree runs in: its supervision events are published on its <c>EventStream</c>.</summary>
    public ActorSystem System => _runtime.System;

    /// <summary>
    /// How many nodes anywhere in the tree are Restarting right now (waiting for a backoff delay included; a
    /// nested supervisor starting its children counts too). A cheap read, for tests waiting for a tree to
    /// settle and for gauges; it follows each supervisor's health pass, so it can lag a crash by one message.
    /// </summary>
    public int ChildrenRestarting => _runtime.Counts.ChildrenIn(HealthState.Restarting);

    /// <summary>
    /// How many children anywhere in the tree (nested supervisors included, the root not) are in
    /// <paramref name="state"/> now, as last published by their supervisors: read without asking the tree, for
    /// gauges. Like <see cref="ChildrenRestarting"/>, it follows each supervisor's health pass.
    /// </summary>
    public int ChildrenIn(HealthState state) => _runtime.Counts.ChildrenIn(state);

    /// <summary>
    /// The root supervisor's health as it last published it, read without asking the tree (for gauges and
    /// health checks; <see cref="GetHealthAsync"/> gives every node). Down once the tree has stopped.
    /// </summary>
    public HealthState RootHealth => Completion.IsCompleted ? HealthState.Down : _runtime.Counts.RootHealth;

    /// <summary>
    /// The work the tree is carrying out at this instant: children starting or restarting (not counting those
    /// waiting for a backoff delay), children being stopped, and supervisors in a start or stop sequence. 0 means the tree has done everything it
    /// can until a message arrives or the clock moves: in virtual time, a test may move the clock. Like
    /// <see cref="ChildrenRestarting"/>, it follows each supervisor's health pass.
    /// </summary>
    public int RestartsInProgress => _runtime.Counts.InProgress;

    /// <summary>
    /// For tests in virtual time, after moving the clock: waits until every timer of the tree that fired has
    /// been handled, a chaos run on it has seen every event published so far (carried out every fault of a
    /// burst due now, and seen each fault it carried out land), and every supervisor has nothing to handle and waits, if
    /// at all, only for the clock (a restart waiting for a backoff delay, a stop or start waiting for a child an injected
    /// hang holds), so the tree has done all it can at this instant. Returns <see langword="false"/> if that did not happen within <paramref name="timeout"/>
    /// (default 3 seconds, real time), <see langword="true"/> otherwise (also when the tree has stopped).
    /// </summary>
    public Task<bool> WhenSettledAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _runtime.Settle.SettleAsync(() => _runtime.Counts.PendingInjections == 0 && _runtime.Counts.FaultsLanding == 0, () => Completion.IsCompleted, timeout is { } t ? PolicyChecks.CallTimeout(t, nameof(timeout)) : TimeSpan.FromSeconds(3), cancellationToken);

    /// <summary>Completes when the tree has stopped, saying why.</summary>
    public Task<TreeOutcome> Completion => _link.Stopped.Task;

    /// <summary>
    /// Stops every child in reverse start order, each by its shutdown spec, then the root. Returns when the
    /// root's actor has terminated, so the tree's name can be used again; or, if a child had to be abandoned
    /// after its shutdown timeout (blocked in a handler), as soon as the ordered shutdown is done.
    /// </summary>
    public async Task<TreeOutcome> StopAsync(CancellationToken cancellationToken = default)
    {
        if (!Completion.IsCompleted)
        {
            Root.Actor.Tell(new ShutdownRequest(), ActorRefs.NoSender);
        }

        var outcome = await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_runtime.Counts.AbandonedChildren == 0)
        {
            await _link.Terminated.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>The whole tree's health: the root's snapshot with every running nested supervisor's inside it.</summary>
    public Task<HealthSnapshot> GetHealthAsync(CancellationToken cancellationToken = default) =>
        Root.GetSubtreeHealthAsync(cancellationToken);

    /// <summary>
    /// The stable address of a child anywhere in the tree: <paramref name="path"/> names the supervisors
    /// below the root, then the child, for example <c>GetChildAsync("db", "pool")</c>.
    /// </summary>
    public async Task<ChildAddress> GetChildAsync(params string[] path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            throw new ArgumentException("Expected at least the child's id; received an empty path.", nameof(path));
        }

        var supervisor = await GetSupervisorAsync(path[..^1]).ConfigureAwait(false);
        return await supervisor.GetChildAsync(path[^1]).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a chaos run on this tree: faults at random (from <see cref="ChaosOptions.Seed"/>), on the
    /// tree's clock, until the run ends. Off unless called; refused in an environment named Production
    /// unless <see cref="ChaosOptions.AllowInProduction"/> is set.
    /// </summary>
    /// <returns>The running injector, once its clock has started (time moved after this counts).</returns>
    /// <exception cref="SpecValidationException">The options have problems; every one is listed.</exception>
    public async Task<FaultInjector> StartChaosAsync(ChaosOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (options.Nodes is not null && !_runtime.RealTime)
        {
            problems.Add(new SpecProblem("chaos", "Nodes", "a tree on the system clock (a cluster's nodes cannot run in virtual time)", "a tree on a virtual clock"));
        }

        if (problems.Count > 0)
        {
            throw new SpecValidationException(problems);
        }

        var seed = options.Seed ?? options.Replay?.Seed ?? Random.Shared.Next();
        var done = new TaskCompletionSource<ChaosReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var state = new InjectorState(options.JournalCapacity, options.JournalSink);
        var actor = await StartInjectorAsync(_runtime.System, InjectorActor.Props(options, Root.Actor, Name, _runtime, seed, done, state), state, Name, cancellationToken).ConfigureAwait(false);
        return new FaultInjector(actor, state, done, seed);
    }

    /// <summary>
    /// Creates the injector and waits for its start: its error if it could not start (it is stopped, and only
    /// logged, by Akka), or a clear one if it stopped without saying why; never a wait forever.
    /// </summary>
    internal static async Task<IActorRef> StartInjectorAsync(ActorSystem system, Props props, InjectorState state, string treeName, CancellationToken cancellationToken)
    {
        var actor = system.ActorOf(props);
        using var watching = new CancellationTokenSource();
        var gone = actor.WatchAsync(watching.Token);
        try
        {
            var first = await Task.WhenAny(state.Started.Task, gone).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (first != state.Started.Task && !state.Started.Task.IsCompleted)
            {
                throw new InvalidOperationException($"The fault injector of tree '{treeName}' stopped before it started; its error is in the log.");
            }

            await state.Started.Task.ConfigureAwait(false); // its own error, if it could not start
            return actor;
        }
        catch (Exception)
        {
            system.Stop(actor); // nobody holds it: it must not run on
            throw;
        }
        finally
        {
            await watching.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A handle on a nested supervisor, by the ids on the way down from the root.</summary>
    public async Task<SupervisorHandle> GetSupervisorAsync(params string[] path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var handle = Root;
        foreach (var id in path)
        {
            handle = await handle.GetSupervisorAsync(id).ConfigureAwait(false);
        }

        return handle;
    }

    /// <summary>Stops the tree (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}

/// <summary>How a tree ended.</summary>
/// <param name="Reason">Why it stopped.</param>
/// <param name="Error">The root's give-up reason or start error, if any.</param>
public sealed record TreeOutcome(TreeStopReason Reason, Exception? Error);
