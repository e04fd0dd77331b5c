using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Supervise.Testing;

/// <summary>
/// A base for tests of Supervise trees: every tree started here runs on <see cref="Time"/>, a virtual
/// clock moved only by the test; <see cref="Events"/> receives every supervision event.
/// </summary>
public abstract class SuperviseTestKit : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config Quiet = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        akka.stdout-loglevel = ERROR
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """);

    /// <summary>Creates the kit.</summary>
    /// <param name="output">xUnit's output, for Akka's log.</param>
    /// <param name="config">More Akka configuration, taking precedence over the kit's.</param>
    protected SuperviseTestKit(ITestOutputHelper? output = null, Config? config = null)
        : base(config is null ? Quiet : config.WithFallback(Quiet), output: output)
    {
        Events = CreateTestProbe("supervise-events");
        Sys.EventStream.Subscribe(Events.Ref, typeof(SupervisionEvent));
    }

    /// <summary>The clock of every tree started here.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Receives every <see cref="SupervisionEvent"/> of the system. The Expect methods take from it.</summary>
    protected TestProbe Events { get; }

    /// <summary>Starts a tree named <paramref name="name"/> on <see cref="Time"/>.</summary>
    protected Task<SupervisionTree> StartTreeAsync(SupervisionSpec spec, string name = "test") =>
        Sys.StartTreeAsync(spec, new TreeOptions { Name = name, TimeProvider = Time });

    /// <summary>Waits for the next event of type <typeparamref name="T"/> that matches, skipping others.</summary>
    protected T ExpectSupervisionEvent<T>(Func<T, bool>? match = null, TimeSpan? max = null)
        where T : SupervisionEvent =>
        (T)Events.FishForMessage(m => m is T t && (match is null || match(t)), max, typeof(T).Name);

    /// <summary>Waits for the child at <paramref name="childPath"/> (<c>tree/supervisor/child</c>) to be restarted.</summary>
    protected ChildRestarted ExpectChildRestarted(string childPath, TimeSpan? max = null) =>
        ExpectSupervisionEvent<ChildRestarted>(e => e.SupervisorPath + "/" + e.ChildId == childPath, max);

    /// <summary>Waits for the supervisor at <paramref name="supervisorPath"/> to give up and fail to its parent.</summary>
    protected SupervisorGaveUp ExpectEscalation(string supervisorPath, TimeSpan? max = null) =>
        ExpectSupervisionEvent<SupervisorGaveUp>(e => e.SupervisorPath == supervisorPath, max);

    /// <summary>
    /// Waits until the node at <paramref name="path"/> (the tree's name for the root, <c>tree/a/b</c> for a
    /// child) has health <paramref name="expected"/>, asking the tree again until it does or 3 seconds pass.
    /// </summary>
    protected async Task ExpectHealthAsync(SupervisionTree tree, string path, HealthState expected)
    {
        ArgumentNullException.ThrowIfNull(tree);
        HealthState? last = null;
        await AwaitConditionAsync(
            async () =>
            {
                last = Find(await tree.GetHealthAsync().ConfigureAwait(false), path);
                return last == expected;
            },
            TimeSpan.FromSeconds(3),
            TimeSpan.FromMilliseconds(5)).ConfigureAwait(false);
    }

    /// <summary>
    /// Lets <paramref name="tree"/> settle at this instant of virtual time (every timer that fired handled, every
    /// fault landed, no restart in progress: <see cref="SupervisionTree.WhenSettledAsync"/>), then fails if any child
    /// under <paramref name="pathPrefix"/> was restarted among the events <see cref="Events"/> has not taken yet.
    /// </summary>
    protected async Task ExpectNoRestartsUnderAsync(SupervisionTree tree, string pathPrefix)
    {
        ArgumentNullException.ThrowIfNull(pathPrefix);
        FailOnRestartsUnder(await SettledEventsAsync(tree).ConfigureAwait(false), pathPrefix);
    }

    /// <summary>Obsolete: waited in real time, so it passed whatever came later. Use <see cref="ExpectNoRestartsUnderAsync"/>.</summary>
    [Obsolete("Waits in real time and passes whatever happens later: use ExpectNoRestartsUnderAsync(tree, pathPrefix), which settles the tree first.")]
    protected void ExpectNoRestartsUnder(string pathPrefix, TimeSpan duration)
    {
        FailOnRestartsUnder(Events.ReceiveWhile(duration, m => m), pathPrefix);
    }

    private static void FailOnRestartsUnder(IEnumerable<object> events, string pathPrefix)
    {
        var restarts = events.OfType<ChildRestarted>()
            .Where(e => (e.SupervisorPath + "/" + e.ChildId).StartsWith(pathPrefix, StringComparison.Ordinal))
            .ToList();
        if (restarts.Count > 0)
        {
            throw new InvalidOperationException($"Expected no restarts under {pathPrefix}; {restarts.Count} happened, the first of {restarts[0].SupervisorPath}/{restarts[0].ChildId} (triggered by {restarts[0].TriggeredBy}).");
        }
    }

    /// <summary>
    /// Lets <paramref name="tree"/> settle (see <see cref="SupervisionTree.WhenSettledAsync"/>), then returns the
    /// supervision events published up to now that <see cref="Events"/> has not taken yet. "Nothing happened" is
    /// asserted on what did happen by an instant of virtual time, not by waiting a while in real time.
    /// </summary>
    protected async Task<IReadOnlyList<SupervisionEvent>> SettledEventsAsync(SupervisionTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        if (!await tree.WhenSettledAsync().ConfigureAwait(false))
        {
            throw new TimeoutException($"Tree '{tree.Name}' did not settle: a restart, start or stop is still in progress.");
        }

        return ReceivedSoFar(Events).OfType<SupervisionEvent>().ToList();
    }

    /// <summary>Waits until each of <paramref name="actors"/> has handled everything it was sent so far (an Identify sent now comes back after it).</summary>
    protected async Task CaughtUpAsync(params IActorRef[] actors)
    {
        ArgumentNullException.ThrowIfNull(actors);
        foreach (var actor in actors)
        {
            await actor.Ask<ActorIdentity>(new Identify(null), RemainingOrDefault).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What <paramref name="probe"/> has been sent up to now and not taken, without waiting: a marker sent to it now
    /// arrives after everything sent to it before.
    /// </summary>
    protected static IReadOnlyList<object> ReceivedSoFar(TestProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var marker = new object();
        probe.Ref.Tell(marker);
        var received = new List<object>();
        probe.FishForMessage(m =>
        {
            if (ReferenceEquals(m, marker))
            {
                return true;
            }

            received.Add(m);
            return false;
        });
        return received;
    }

    /// <summary>
    /// Runs chaos on <paramref name="tree"/> in virtual time for <paramref name="injectionTimes"/> injection
    /// times. The clock moves in steps of at most <paramref name="step"/> (default 100 ms), and after each
    /// step the tree is let settle (every timer that fired handled, every fault landed, no restart in
    /// progress: <see cref="SupervisionTree.WhenSettledAsync"/>), so the run does not depend on the
    /// machine's speed; recovery times come from the events' own timestamps. After the last injection time
    /// it stops injecting (<see cref="FaultInjector.StopInjecting"/>) and moves the clock on while a fault
    /// waits for it (a hang, a backoff delay), up to the options' <c>RecoveryTimeout</c>. Returns the
    /// report. Unless the options name an environment, the run is in environment "Test".
    /// </summary>
    protected async Task<ChaosReport> RunChaosAsync(SupervisionTree tree, ChaosOptions options, int injectionTimes, TimeSpan? step = null)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(options);
        var stride = step ?? TimeSpan.FromMilliseconds(100);
        var injector = await tree.StartChaosAsync(options with { EnvironmentName = options.EnvironmentName ?? "Test" }).ConfigureAwait(false);
        for (var i = 1; i <= injectionTimes && !injector.Completion.IsCompleted && !tree.Completion.IsCompleted; i++)
        {
            while (injector.InjectionTimes < i && !injector.Completion.IsCompleted && !tree.Completion.IsCompleted)
            {
                var wait = Until(injector);
                if (wait > TimeSpan.Zero)
                {
                    Time.Advance(wait < stride ? wait : stride);
                }

                if (Until(injector) <= TimeSpan.Zero)
                {
                    // The injection time has come (the next is known only once it is handled).
                    await injector.WhenInjectionTimesAsync(i).ConfigureAwait(false);
                }

                await SettleAsync(tree).ConfigureAwait(false);
            }
        }

        // Let the last faults finish, a step at a time, up to their recovery timeout, while one waits for the
        // clock (a hang, a backoff delay); one whose child will not run again (a stopped temporary) is not waited for.
        injector.StopInjecting();
        for (var left = options.RecoveryTimeout; left > TimeSpan.Zero && injector.FaultsWaitingForClock > 0 && !tree.Completion.IsCompleted; left -= stride)
        {
            Time.Advance(stride);
            await SettleAsync(tree).ConfigureAwait(false);
        }

        return tree.Completion.IsCompleted
            ? await injector.Completion.ConfigureAwait(false)
            : await injector.StopAsync("the test's injections were done").ConfigureAwait(false);
    }

    /// <summary>
    /// Property-based chaos: for each case <paramref name="cases"/> generates (a tree × a fault schedule), starts
    /// the tree with workers running <paramref name="worker"/>, runs chaos on it for
    /// <paramref name="injectionTimes"/> injection times, and calls <paramref name="property"/> with the case
    /// and its report; the property fails by throwing (the <see cref="ChaosAssertions"/> do). CsCheck runs
    /// <paramref name="iterations"/> cases one at a time and, when one fails, keeps looking for a smaller
    /// failing case; the error then shows the smallest, its report, and the CsCheck seed that replays the
    /// search (give it as <paramref name="seed"/>, or set the environment variable <c>CsCheck_Seed</c>).
    /// </summary>
    protected async Task CheckChaosAsync(
        Gen<ChaosCase> cases,
        Props worker,
        Action<ChaosCase, ChaosReport> property,
        int iterations = 20,
        int injectionTimes = 20,
        string? seed = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(property);
        var trees = 0;
        await cases.SampleAsync(
            async c =>
            {
                var tree = await StartTreeAsync(c.Tree.ToSpec(worker), $"case{Interlocked.Increment(ref trees)}").ConfigureAwait(false);
                ChaosReport report;
                try
                {
                    report = await RunChaosAsync(tree, c.Options, injectionTimes).ConfigureAwait(false);
                }
                finally
                {
                    await tree.StopAsync().ConfigureAwait(false);
                }

                try
                {
                    property(c, report);
                }
                catch (Exception e)
                {
                    throw new ChaosPropertyException($"{e.Message}{Environment.NewLine}{report.ToText()}", e);
                }
            },
            seed: seed,
            iter: iterations,
            threads: 1,
            print: c => c.ToString()).ConfigureAwait(false);
    }

    private TimeSpan Until(FaultInjector injector) => Time.GetElapsedTime(Time.GetTimestamp(), injector.NextInjectionDue);

    /// <summary>
    /// Lets the tree do all it can at this instant (every fault landed, every burst carried out, every fired timer
    /// handled, nothing moving but what waits for the clock: a hang, a backoff delay, a stop a hang holds). Exact, not
    /// timed: the bound (5 s, real time) is only for a tree stuck outside the clock (a handler blocked for real).
    /// </summary>
    private static Task<bool> SettleAsync(SupervisionTree tree) => tree.WhenSettledAsync(TimeSpan.FromSeconds(5));

    /// <summary>Whether no node of a whole-tree snapshot is Restarting (a supervisor still starting its children included).</summary>
    protected static bool NothingRestarting(HealthSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.State != HealthState.Restarting
            && snapshot.Children.All(c => c.State != HealthState.Restarting && (c.Subtree is null || NothingRestarting(c.Subtree)));
    }

    private static HealthState? Find(HealthSnapshot snapshot, string path)
    {
        if (snapshot.Path == path)
        {
            return snapshot.State;
        }

        foreach (var child in snapshot.Children)
        {
            if (snapshot.Path + "/" + child.Id == path)
            {
                return child.State;
            }

            if (child.Subtree is { } sub && Find(sub, path) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
