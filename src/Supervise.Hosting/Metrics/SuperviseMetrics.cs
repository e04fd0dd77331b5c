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
/// <c>supervise.strategy</c>, <c>supervise.fault.kind</c>. When nothing listens, an event costs one message
/// to the metrics actor and a flag check: no tags are built and nothing is recorded.
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
    private readonly ConcurrentDictionary<string, SupervisionTree> _trees = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _listeners = [];

    /// <summary>Creates the meter and its instruments; <see cref="Attach"/> feeds them from an actor system's events.</summary>
    public SuperviseMetrics(SupervisionStrategies? strategies = null)
    {
        Strategies = strategies ?? new SupervisionStrategies();
        _meter = new Meter(MeterName, typeof(SuperviseMetrics).Assembly.GetName().Version?.ToString());
        _starts = _meter.CreateCounter<long>("supervise.child.starts", "{start}", "Children started (first starts and restarts).");
        _crashes = _meter.CreateCounter<long>("supervise.child.crashes", "{crash}", "Children that crashed (an exception in a handler).");
        _restarts = _meter.CreateCounter<long>("supervise.child.restarts", "{restart}", "Children restarted by their supervisor.");
        _startFailures = _meter.CreateCounter<long>("supervise.child.start_failures", "{failure}", "Starts and restarts that failed.");
        _escalations = _meter.CreateCounter<long>("supervise.supervisor.escalations", "{escalation}", "Supervisors that exceeded their restart intensity and gave up.");
        _injected = _meter.CreateCounter<long>("supervise.faults.injected", "{fault}", "Faults the fault injector carried out.");
        _skipped = _meter.CreateCounter<long>("supervise.faults.skipped", "{fault}", "Faults the fault injector chose but skipped.");
        _lost = _meter.CreateCounter<long>("supervise.messages.lost", "{message}", "Messages lost: dropped or dead letters addressed to a child.");
        _meter.CreateObservableGauge("supervise.children", ObserveChildren, "{child}", "Children of each tree by health.");
        _meter.CreateObservableGauge("supervise.tree.health", ObserveTrees, null, "Each tree's root health: 0 Running, 1 Restarting, 2 Degraded, 3 Down, 4 stopped.");
    }

    /// <summary>The strategies of the supervisors, for the <c>supervise.strategy</c> tag.</summary>
    public SupervisionStrategies Strategies { get; }

    /// <summary>Counts the supervision events of <paramref name="system"/> (every tree in it).</summary>
    public void Attach(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        lock (_listeners)
        {
            var listener = system.ActorOf(Props.Create(() => new Listener(this)), "supervise-metrics-" + Guid.NewGuid().ToString("N")[..8]);
            system.EventStream.Subscribe(listener, typeof(SupervisionEvent)); // now: no event after this call is missed
            _listeners.Add(listener);
        }
    }

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
        lock (_listeners)
        {
            foreach (var listener in _listeners)
            {
                listener.Tell(PoisonPill.Instance);
            }

            _listeners.Clear();
        }

        _meter.Dispose();
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
        var (counter, also, child, kind) = e switch
        {
            ChildStarted s => (_starts, null, s.ChildId, null),
            ChildRestarted r => (_restarts, _starts, r.ChildId, null),
            ChildCrashed c => (_crashes, null, c.ChildId, null),
            ChildStartFailed f => (_startFailures, null, f.ChildId, null),
            SupervisorGaveUp g => (_escalations, null, g.ChildId, null),
            FaultInjected f => (_injected, null, f.ChildId, f.Fault.Kind.ToString().ToLowerInvariant()),
            FaultSkipped s => (_skipped, null, null, s.Fault.Kind.ToString().ToLowerInvariant()),
            MessageDropped { Message: not InjectedPoison } d => (_lost, null, d.ChildId, (string?)null),
            _ => ((Counter<long>?)null, (Counter<long>?)null, (string?)null, (string?)null),
        };
        foreach (var instrument in new[] { counter, also })
        {
            if (instrument is { Enabled: true })
            {
                var tags = Tags(e.SupervisorPath, child);
                if (kind is not null)
                {
                    tags.Add("supervise.fault.kind", kind);
                }

                instrument.Add(1, tags);
            }
        }
    }

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

    private sealed class Listener : ReceiveActor
    {
        public Listener(SuperviseMetrics metrics) => Receive<SupervisionEvent>(metrics.Record);

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
    }
}
