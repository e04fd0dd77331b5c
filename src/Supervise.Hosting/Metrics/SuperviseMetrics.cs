using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;

namespace Supervise.Hosting;

/// <summary>
/// Supervise's metrics on the <see cref="System.Diagnostics.Metrics"/> meter <c>Supervise</c>:
/// <list type="bullet">
/// <item>counters <c>supervise.child.starts</c>, <c>supervise.child.crashes</c>, <c>supervise.child.restarts</c>,
/// <c>supervise.child.start_failures</c>, <c>supervise.supervisor.escalations</c>,
/// <c>supervise.faults.injected</c>, <c>supervise.faults.skipped</c>, <c>supervise.messages.lost</c>;</item>
/// <item>observable gauges <c>supervise.children</c> (children by health, tag <c>supervise.health</c>) and
/// <c>supervise.tree.health</c> (0 Running, 1 Restarting, 2 Degraded, 3 Down, 4 stopped).</item>
/// </list>
/// Tags: <c>supervise.tree</c>, <c>supervise.supervisor</c> (its path), <c>supervise.child</c>,
/// <c>supervise.strategy</c>, <c>supervise.fault.kind</c>. The child and supervisor tags grow with the
/// children a dynamic supervisor starts: drop them in your metrics pipeline if that is too many series.
/// Only the events counted are subscribed to, and they are counted where they are published (no message,
/// no actor): when nothing listens, an event costs a flag check, and no tags are built.
/// </summary>
public sealed class SuperviseMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Supervise";

    private readonly Meter _meter;
    private readonly Counter<long> _starts;
    private readonly Counter<long> _crashes;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _startFailures;
    private readonly Counter<long> _escalations;
    private readonly Counter<long> _injected;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _lost;
    private readonly Counter<long> _upgrades;
    private readonly Counter<long> _upgradedChildren;
    private readonly ConcurrentDictionary<string, SupervisionTree> _trees = new(StringComparer.Ordinal);
    private readonly Dictionary<ActorSystem, Counting> _attached = [];
    private readonly bool _ownsMeter;

    /// <summary>
    /// Creates the meter (from <paramref name="meterFactory"/> when given, as a host's services have one) and
    /// its instruments; <see cref="Attach"/> feeds them from an actor system's events.
    /// </summary>
    public SuperviseMetrics(IMeterFactory? meterFactory = null, SupervisionStrategies? strategies = null)
    {
        Strategies = strategies ?? new SupervisionStrategies();
        var version = typeof(SuperviseMetrics).Assembly.GetName().Version?.ToString();
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName, version) ?? new Meter(MeterName, version);
        _starts = _meter.CreateCounter<long>("supervise.child.starts", "{start}", "Children started (first starts and restarts).");
        _crashes = _meter.CreateCounter<long>("supervise.child.crashes", "{crash}", "Children that crashed (an exception in a handler).");
        _restarts = _meter.CreateCounter<long>("supervise.child.restarts", "{restart}", "Children restarted by their supervisor.");
        _startFailures = _meter.CreateCounter<long>("supervise.child.start_failures", "{failure}", "Starts and restarts that failed.");
        _escalations = _meter.CreateCounter<long>("supervise.supervisor.escalations", "{escalation}", "Supervisors that exceeded their restart intensity and gave up.");
        _injected = _meter.CreateCounter<long>("supervise.faults.injected", "{fault}", "Faults the fault injector carried out.");
        _skipped = _meter.CreateCounter<long>("supervise.faults.skipped", "{fault}", "Faults the fault injector chose but skipped.");
        _lost = _meter.CreateCounter<long>("supervise.messages.lost", "{message}", "Messages lost: dropped or dead letters addressed to a child.");
        _upgrades = _meter.CreateCounter<long>("supervise.upgrades", "{upgrade}", "Live upgrades that ended, by outcome (completed, rolled_back, stopped, refused).");
        _upgradedChildren = _meter.CreateCounter<long>("supervise.upgrade.children", "{change}", "Children an upgrade changed (replaced, updated, added, removed, restored).");
        _meter.CreateObservableGauge("supervise.children", ObserveChildren, "{child}", "Children of each tree by health.");
        _meter.CreateObservableGauge("supervise.tree.health", ObserveTrees, null, "Each tree's root health: 0 Running, 1 Restarting, 2 Degraded, 3 Down, 4 stopped.");
    }

    /// <summary>The strategies of the supervisors, for the <c>supervise.strategy</c> tag.</summary>
    public SupervisionStrategies Strategies { get; }

    /// <summary>Counts the supervision events of <paramref name="system"/> (every tree in it), until <see cref="Detach"/>.</summary>
    public void Attach(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        lock (_attached)
        {
            if (_attached.ContainsKey(system))
            {
                return; // counted once, however often attached
            }

            var counting = new Counting(this, (ExtendedActorSystem)system);
            foreach (var type in Counted)
            {
                system.EventStream.Subscribe(counting, type);
            }

            _attached[system] = counting;
        }
    }

    /// <summary>Stops counting <paramref name="system"/>'s events.</summary>
    public void Detach(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        lock (_attached)
        {
            if (_attached.Remove(system, out var counting))
            {
                system.EventStream.Unsubscribe(counting);
            }
        }
    }

    /// <summary>The events the counters count: nothing else is subscribed to.</summary>
    private static readonly Type[] Counted =
        [typeof(ChildStarted), typeof(ChildRestarted), typeof(ChildCrashed), typeof(ChildStartFailed), typeof(SupervisorGaveUp), typeof(FaultInjected), typeof(FaultSkipped), typeof(MessageDropped), typeof(ChildUpgraded), typeof(UpgradeEnded)];

    /// <summary>Reports <paramref name="tree"/>'s gauges (until it is stopped and <see cref="Untrack"/> is called).</summary>
    public void Track(SupervisionTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        _trees[tree.Name] = tree;
    }

    /// <summary>Stops reporting the tree named <paramref name="treeName"/>'s gauges.</summary>
    public void Untrack(string treeName) => _trees.TryRemove(treeName, out _);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_attached)
        {
            foreach (var system in _attached.Keys.ToList())
            {
                Detach(system);
            }
        }

        if (_ownsMeter)
        {
            _meter.Dispose(); // one from a factory is the factory's to dispose
        }
    }

    private static string TreeOf(string supervisorPath)
    {
        var slash = supervisorPath.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? supervisorPath : supervisorPath[..slash];
    }

    private IEnumerable<Measurement<int>> ObserveChildren()
    {
        foreach (var (name, tree) in _trees)
        {
            foreach (var state in Enum.GetValues<HealthState>())
            {
                yield return new Measurement<int>(tree.ChildrenIn(state), new KeyValuePair<string, object?>("supervise.tree", name), new KeyValuePair<string, object?>("supervise.health", state.ToString().ToLowerInvariant()));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveTrees()
    {
        foreach (var (name, tree) in _trees)
        {
            yield return new Measurement<int>(tree.Completion.IsCompleted ? 4 : (int)tree.RootHealth, new KeyValuePair<string, object?>("supervise.tree", name));
        }
    }

    private void Record(SupervisionEvent e)
    {
        switch (e)
        {
            case ChildStarted s:
                Count(_starts, s, s.ChildId);
                break;
            case ChildRestarted r:
                Count(_restarts, r, r.ChildId);
                Count(_starts, r, r.ChildId);
                break;
            case ChildCrashed c:
                Count(_crashes, c, c.ChildId);
                break;
            case ChildStartFailed f:
                Count(_startFailures, f, f.ChildId);
                break;
            case SupervisorGaveUp g:
                Count(_escalations, g, g.ChildId);
                break;
            case FaultInjected f:
                Count(_injected, f, f.ChildId, f.Fault.Kind);
                break;
            case FaultSkipped s:
                Count(_skipped, s, null, s.Fault.Kind);
                break;
            case MessageDropped { Message: not InjectedPoison } d:
                Count(_lost, d, d.ChildId);
                break;
            case ChildUpgraded u:
                Count(_upgradedChildren, u, u.ChildId);
                break;
            case UpgradeEnded u when _upgrades.Enabled:
                var tags = Tags(u.SupervisorPath, null);
                tags.Add("supervise.upgrade.outcome", u.Result switch
                {
                    UpgradeResult.Completed => "completed",
                    UpgradeResult.RolledBack => "rolled_back",
                    UpgradeResult.Stopped => "stopped",
                    _ => "refused",
                });
                _upgrades.Add(1, tags);
                break;
        }
    }

    private void Count(Counter<long> counter, SupervisionEvent e, string? childId, FaultKind? kind = null)
    {
        if (!counter.Enabled)
        {
            return;
        }

        var tags = Tags(e.SupervisorPath, childId);
        if (kind is { } k)
        {
            tags.Add("supervise.fault.kind", KindTags[(int)k]);
        }

        counter.Add(1, tags);
    }

    private static readonly string[] KindTags = Enum.GetNames<FaultKind>().Select(n => n.ToLowerInvariant()).ToArray();

    private TagList Tags(string supervisorPath, string? childId)
    {
        var tags = new TagList
        {
            { "supervise.tree", TreeOf(supervisorPath) },
            { "supervise.supervisor", supervisorPath },
        };
        if (childId is not null)
        {
            tags.Add("supervise.child", childId);
        }

        if (Strategies.Of(supervisorPath) is { } strategy)
        {
            tags.Add("supervise.strategy", strategy);
        }

        return tags;
    }

    /// <summary>
    /// Counts an event where it is published, on the publisher's thread: an event stream subscriber that is
    /// not an actor (the counters are thread-safe), so no message is sent and no mailbox is kept.
    /// </summary>
    private sealed class Counting(SuperviseMetrics metrics, ExtendedActorSystem system) : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(system.Provider.DefaultAddress) / "supervise-metrics" / Guid.NewGuid().ToString("N");

        public override IActorRefProvider Provider => system.Provider;

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (message is SupervisionEvent e)
            {
                metrics.Record(e);
            }
        }
    }
}
