using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Supervise.Samples.Common;

namespace Supervise.Samples.Trading;

/// <summary>
/// A fleet of trading gateways connected to a simulated exchange. Some gateways need a position-tracking
/// section in their configuration. A deployment gives some gateways a configuration that lacks it: those
/// that need it fail validation when they restart with it, the supervisor isolates them, and a kill switch
/// disconnects them at the exchange; the rest keep trading; then the configuration is rolled back.
/// No gateway trades without position tracking.
/// </summary>
internal sealed class TradingSample : ISample
{
    internal const int Gateways = 12;

    public string Name => "trading";

    public string Summary => "A fleet of trading gateways gets a bad configuration as a live upgrade: the canary that needs what it lacks fails its start, is cut off, and the supervisor rolls the upgrade back.";

    public IReadOnlyList<(string Name, string Description)> Switches =>
        [("no-canary", "Deploys by hand, one gateway after another, without a canary or a rollback by the supervisor (the old way, to compare).")];

    public TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    public double DefaultFaultsPerSecond => 2;

    /// <summary>Every third gateway trades derivatives and must track positions.</summary>
    internal static bool NeedsTracking(int gateway) => gateway % 3 == 0;

    internal static string Id(int gateway) => $"gw-{gateway:00}";

    public async Task<SampleOutcome> RunAsync(SampleRun run)
    {
        using var system = ActorSystem.Create("trading", "akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        var store = new ConfigStore(Enumerable.Range(1, Gateways).Select(Id));
        var exchange = new ExchangeBook(run.Load);
        var exchangeActor = system.ActorOf(Props.Create(() => new Exchange(exchange)), "exchange");
        var fleet = new SupervisorSpec
        {
            Intensity = 5,
            Period = TimeSpan.FromSeconds(10),
            Children = Enumerable.Range(1, Gateways).Select(g => ChildSpec.Worker(Id(g), Props.Create(() => new Gateway(Id(g), NeedsTracking(g), store, exchangeActor))) with
            {
                Policies = [Policy.Isolate()], // past the fleet's intensity, this gateway is stopped and stays Down; the others are untouched
                Tags = NeedsTracking(g) ? ["derivatives"] : ["cash"],
                Version = "1",
            }).ToList(),
        };
        var spec = new SupervisorSpec { Children = [ChildSpec.ForSupervisor("fleet", fleet)] };

        run.Say($"{Gateways} gateways connect to the exchange; every third one trades derivatives and needs the position-tracking section of its configuration.");
        var tree = await system.StartTreeAsync(spec, new TreeOptions { Name = "trading" });
        run.Show(system, tree);
        var killSwitch = system.ActorOf(Props.Create(() => new KillSwitch(exchangeActor, run)), "kill-switch");
        system.EventStream.Subscribe(killSwitch, typeof(ChildStartFailed));
        system.EventStream.Subscribe(killSwitch, typeof(ChildStarted));
        var fleetHandle = await tree.GetSupervisorAsync("fleet");

        FaultInjector? injector = null;
        if (run.Chaos(new FaultTargets { Include = ["trading/fleet/*"] }, new FaultChoice(FaultKind.Crash)) is { } chaos)
        {
            run.Say($"The fault injector crashes gateways now and then ({run.FaultsPerSecond:0.#} a second, seed {run.Seed}): they restart with their configuration and carry on.");
            injector = await tree.StartChaosAsync(chaos with { StayBelowIntensity = true });
        }

        // The bad deployment: half the fleet, chosen by the seed, gets v2, which lacks position tracking.
        var clock = Stopwatch.StartNew();
        await run.UntilAsync(clock, run.Duration * 0.25);
        var random = new Random(run.Seed);
        var shuffled = Enumerable.Range(1, Gateways).OrderBy(_ => random.Next()).ToList();
        var targets = shuffled.Take(Gateways / 2).ToList();
        if (!targets.Any(NeedsTracking))
        {
            // Every run shows a broken gateway: the last one chosen gives way to the first derivatives gateway left out.
            targets[^1] = shuffled.First(NeedsTracking);
        }

        targets.Sort();
        var broken = targets.Where(NeedsTracking).Select(Id).ToList();
        var deployment = run.Switches.Contains("no-canary")
            ? await DeployByHandAsync(run, clock, fleetHandle, store, targets, broken)
            : await DeployAsUpgradeAsync(run, clock, system, fleet, fleetHandle, exchangeActor, targets);
        await run.UntilAsync(clock, run.Duration);
        var report = injector is null ? null : await injector.StopAsync("the sample's time was up");
        await tree.WhenSettledAsync(TimeSpan.FromSeconds(10)); // a gateway the last fault crashed has restarted: "at the end" is once the fleet is still
        var after = (await fleetHandle.GetHealthAsync()).Children.ToDictionary(c => c.Id, c => c.State);
        await tree.StopAsync();
        await run.Timeline.FlushAsync(); // what the last stops published is in the timeline before the system ends
        await system.Terminate();

        var violations = new List<string>();
        if (exchange.TradedWithoutTracking is { Count: > 0 } untracked)
        {
            violations.Add($"orders traded without position tracking: {string.Join(", ", untracked.Select(u => $"{u.Key} ×{u.Value}"))}");
        }

        var rolledBackAt = deployment.RolledBackAt;
        foreach (var id in deployment.Broken)
        {
            // At the exchange, not in the kill switch's own notes: the gateway was cut off there, and nothing of it traded until the rollback.
            // Cut off from its failure until the kill switch reconnected it (once it ran v1 again): both are messages on their
            // way to the exchange while the supervisor rolls back, so they are read at the exchange, not against the rollback's end.
            if (exchange.DisconnectedAt(id) is not { } cut)
            {
                violations.Add($"{id} failed validation but the exchange never disconnected it");
            }
            else if (exchange.AcceptedBetween(id, cut, exchange.ReconnectedAt(id) ?? DateTimeOffset.MaxValue) is > 0 and var traded)
            {
                violations.Add($"{id} was disconnected but the exchange accepted {traded} order(s) from it before it was reconnected");
            }
        }

        violations.AddRange(deployment.Violations);
        foreach (var id in Enumerable.Range(1, Gateways).Select(Id).Where(id => exchange.AcceptedSince(id, rolledBackAt) == 0))
        {
            violations.Add($"{id} did not trade after the rollback");
        }

        foreach (var (id, state) in after.Where(c => c.Value != HealthState.Running))
        {
            violations.Add($"{id} was {state} at the end, not Running");
        }

        var healthy = Enumerable.Range(1, Gateways).Select(Id).Except(deployment.Broken).ToList();
        var findings = new List<string>(deployment.Findings)
        {
            "time to kill (deployment to disconnect at the exchange): " + string.Join(", ", deployment.Broken.Select(id => exchange.DisconnectedAt(id) is { } at ? $"{id} {(at - deployment.DeployedAt[id]).TotalMilliseconds:0.0} ms" : $"{id} never")),
            $"the other {healthy.Count} kept trading through the deployment: {healthy.Sum(id => exchange.AcceptedBetween(id, deployment.StartedAt, rolledBackAt))} orders accepted in that time",
            $"orders: {exchange.Accepted} accepted, {exchange.Refused} refused from disconnected gateways",
        };
        return new SampleOutcome(violations.Count == 0, "no gateway trades without position tracking", findings, violations) { Chaos = report };
    }

    /// <summary>What a deployment did: when it started and was rolled back, which gateways it broke, and what it found.</summary>
    private sealed record Deployment(DateTimeOffset StartedAt, DateTimeOffset RolledBackAt, IReadOnlyList<string> Broken, IReadOnlyDictionary<string, DateTimeOffset> DeployedAt, IReadOnlyList<string> Findings, IReadOnlyList<string> Violations);

    /// <summary>
    /// The deployment as a live upgrade of the fleet: v2 for the chosen gateways, a canary of one first, each gateway watched
    /// before the next; the first that needs position tracking fails its start on v2, and the fleet's supervisor rolls back.
    /// </summary>
    private static async Task<Deployment> DeployAsUpgradeAsync(SampleRun run, Stopwatch clock, ActorSystem system, SupervisorSpec fleet, SupervisorHandle fleetHandle, IActorRef exchange, List<int> targets)
    {
        var watch = run.Duration * 0.05;
        var ids = targets.Select(Id).ToHashSet();
        var v2 = fleet with
        {
            Children = fleet.Children.Select((c, i) => ids.Contains(c.Id)
                ? c with { Version = "2", Start = () => Props.Create(() => new Gateway(c.Id, NeedsTracking(i + 1), new GatewayConfig(2, false), exchange)) }
                : c).ToList(),
        };
        var events = new ConcurrentQueue<ChildEvent>();
        var recorder = system.ActorOf(Props.Create(() => new UpgradeRecorder(events)), "upgrade-recorder");
        system.EventStream.Subscribe(recorder, typeof(ChildUpgraded));
        system.EventStream.Subscribe(recorder, typeof(ChildStopRequested));
        run.Say($"Deployment: configuration v2 (no position-tracking section) for {string.Join(", ", ids)}, as a live upgrade of the fleet: a canary of one first, each gateway watched {watch.TotalMilliseconds:0} ms before the next, and a rollback by the supervisor if one fails.");
        var startedAt = DateTimeOffset.UtcNow;
        var result = await fleetHandle.UpgradeAsync(v2, new UpgradeOptions { CanaryCount = 1, MaxOutOfService = 1, WatchWindow = watch });
        var rolledBackAt = DateTimeOffset.UtcNow;
        await recorder.HandledAllSentAsync(); // it has every event of the upgrade
        system.Stop(recorder);
        var ranV2 = events.OfType<ChildUpgraded>().Where(u => u.Change.StartsWith("replaced by version 2", StringComparison.Ordinal)).Select(u => u.ChildId).Distinct().ToList();
        var violations = new List<string>();
        var findings = new List<string>();
        var broken = new List<string>();
        if (result is UpgradeResult.RolledBack rolledBack)
        {
            // "gw-06: its new spec failed to start: ...", or a crash an injected fault made during a gateway's watch.
            var failed = rolledBack.Failure[..rolledBack.Failure.IndexOf(':', StringComparison.Ordinal)];
            var why = rolledBack.Failure[(failed.Length + 2)..];
            if (NeedsTracking(int.Parse(failed[3..], CultureInfo.InvariantCulture)))
            {
                broken.Add(failed);
            }

            run.Say($"{failed} failed ({why}); the supervisor rolled the upgrade back: {string.Join(", ", rolledBack.Restored)} run v1 again, and the rest of the fleet was never touched.");
            findings.Add($"v2 was to go to {ids.Count} gateways; it ran on {ranV2.Count} ({(ranV2.Count == 0 ? "none" : string.Join(", ", ranV2))}) before {failed} failed, and the supervisor rolled back: {string.Join(", ", rolledBack.Restored)} restored");
            findings.Add($"why {failed} failed: {why}");
            findings.Add($"time from the upgrade's start to the rollback's end: {(rolledBackAt - startedAt).TotalMilliseconds:0.0} ms");
            if (targets.Select(Id).SkipWhile(id => id != failed).Skip(1).Intersect(ranV2).ToList() is { Count: > 0 } late)
            {
                violations.Add($"gateways after the failed canary ran v2: {string.Join(", ", late)}");
            }
        }
        else
        {
            violations.Add($"the upgrade was not rolled back: {result.GetType().Name}");
        }

        await run.UntilAsync(clock, run.Duration * 0.6);
        // A gateway's deployment began when the upgrade stopped its v1 incarnation to replace it.
        var deployedAt = broken.ToDictionary(id => id, id => events.OfType<ChildStopRequested>().FirstOrDefault(e => e.ChildId == id)?.Timestamp ?? startedAt);
        return new Deployment(startedAt, rolledBackAt, broken, deployedAt, findings, violations);
    }

    /// <summary>
    /// The deployment by hand (<c>--no-canary</c>), the old way: each chosen gateway stopped and started again with v2, one after
    /// another; the broken ones are isolated and cut off, and v1 goes back at 60 % of the run.
    /// </summary>
    private static async Task<Deployment> DeployByHandAsync(SampleRun run, Stopwatch clock, SupervisorHandle fleetHandle, ConfigStore store, List<int> targets, List<string> broken)
    {
        run.Say($"Deployment (no canary): configuration v2 (no position-tracking section) goes to {string.Join(", ", targets.Select(Id))}; each is stopped and started again with it, one after another.");
        var startedAt = DateTimeOffset.UtcNow;
        var deployed = new Dictionary<string, DateTimeOffset>();
        foreach (var g in targets)
        {
            store.Deploy(Id(g), new GatewayConfig(2, HasPositionTracking: false));
            deployed[Id(g)] = DateTimeOffset.UtcNow;
            await fleetHandle.TerminateChildAsync(Id(g));
            if (await fleetHandle.RestartChildAsync(Id(g)) is not RestartChildResult.Restarted)
            {
                run.Say($"{Id(g)} fails validation on v2: it stays stopped (isolated), and the kill switch has cut it off at the exchange.");
            }
        }

        await run.UntilAsync(clock, run.Duration * 0.6);
        // Before the rollback: what the supervisor made of the broken gateways (isolated: stopped, Down) and of the others.
        var beforeRollback = (await fleetHandle.GetHealthAsync()).Children.ToDictionary(c => c.Id, c => c.State);
        run.Say("Rollback: configuration v1 goes back to the same gateways; the isolated ones are started again.");
        foreach (var g in targets)
        {
            store.Deploy(Id(g), new GatewayConfig(1, HasPositionTracking: true));
        }

        foreach (var id in broken)
        {
            await fleetHandle.RestartChildAsync(id);
        }

        var rolledBackAt = DateTimeOffset.UtcNow;
        var violations = new List<string>();
        foreach (var id in broken.Where(id => beforeRollback.GetValueOrDefault(id) != HealthState.Down))
        {
            violations.Add($"{id} failed validation but was {beforeRollback.GetValueOrDefault(id)} before the rollback, not stopped (Down)");
        }

        foreach (var id in Enumerable.Range(1, Gateways).Select(Id).Except(broken).Where(id => beforeRollback.GetValueOrDefault(id) == HealthState.Down))
        {
            violations.Add($"{id} has what it needs but was Down before the rollback: the failure did not stay with the broken gateways");
        }

        var findings = new List<string> { $"v2 went to {targets.Count} gateways; {broken.Count} of them need position tracking and failed validation: {string.Join(", ", broken)}" };
        return new Deployment(startedAt, rolledBackAt, broken, deployed, findings, violations);
    }
}

/// <summary>A gateway's configuration: its version, and whether it has the position-tracking section.</summary>
internal sealed record GatewayConfig(int Version, bool HasPositionTracking);

/// <summary>Where each gateway reads its configuration when it starts (a deployment writes here).</summary>
internal sealed class ConfigStore(IEnumerable<string> gateways)
{
    private readonly ConcurrentDictionary<string, GatewayConfig> _configs = new(gateways.Select(g => KeyValuePair.Create(g, new GatewayConfig(1, true))));

    public GatewayConfig Get(string gateway) => _configs[gateway];

    public void Deploy(string gateway, GatewayConfig config) => _configs[gateway] = config;
}

/// <summary>An order, stamped when its gateway sent it (<see cref="System.Diagnostics.Stopwatch"/> ticks: the exchange measures its latency).</summary>
internal sealed record Order(string Gateway, bool PositionTracked, bool NeedsTracking, long SentAt);

internal sealed record Disconnect(string Gateway);

internal sealed record Reconnect(string Gateway);

/// <summary>A gateway: validates its configuration when it starts, then sends orders every 25 ms.</summary>
internal sealed class Gateway : ReceiveActor, IWithTimers
{
    private readonly string _id;
    private readonly bool _needsTracking;
    private readonly IActorRef _exchange;
    private readonly GatewayConfig _config;

    public Gateway(string id, bool needsTracking, ConfigStore store, IActorRef exchange)
        : this(id, needsTracking, store.Get(id), exchange)
    {
    }

    /// <summary>A gateway started with <paramref name="config"/> (an upgrade's version of it), not the store's.</summary>
    public Gateway(string id, bool needsTracking, GatewayConfig config, IActorRef exchange)
    {
        _id = id;
        _needsTracking = needsTracking;
        _exchange = exchange;
        _config = config;
        if (needsTracking && !_config.HasPositionTracking)
        {
            throw new InvalidOperationException($"{id}: configuration v{_config.Version} lacks the position-tracking section this gateway needs");
        }

        Receive<Trade>(_ => _exchange.Tell(new Order(_id, _config.HasPositionTracking, _needsTracking, System.Diagnostics.Stopwatch.GetTimestamp())));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer(Trade.Instance, Trade.Instance, TimeSpan.FromMilliseconds(25));

    private sealed class Trade
    {
        public static readonly Trade Instance = new();
    }
}

/// <summary>What the exchange saw: orders by gateway and time, refusals, and any order traded without tracking.</summary>
internal sealed class ExchangeBook(LoadMeter? load = null)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _accepted = [];
    private readonly Dictionary<string, int> _untracked = [];
    private readonly Dictionary<string, DateTimeOffset> _disconnected = [];
    private readonly Dictionary<string, DateTimeOffset> _reconnected = [];
    private int _refused;

    public int Accepted
    {
        get
        {
            lock (_gate)
            {
                return _accepted.Values.Sum(v => v.Count);
            }
        }
    }

    public int Refused => Volatile.Read(ref _refused);

    public IReadOnlyDictionary<string, int> TradedWithoutTracking
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, int>(_untracked);
            }
        }
    }

    public void Accept(Order order)
    {
        lock (_gate)
        {
            if (!_accepted.TryGetValue(order.Gateway, out var times))
            {
                _accepted[order.Gateway] = times = [];
            }

            times.Add(DateTimeOffset.UtcNow);
            load?.Record(System.Diagnostics.Stopwatch.GetElapsedTime(order.SentAt)); // the throughput panel: orders accepted
            if (order.NeedsTracking && !order.PositionTracked)
            {
                _untracked[order.Gateway] = _untracked.GetValueOrDefault(order.Gateway) + 1;
            }
        }
    }

    public void Refuse()
    {
        Interlocked.Increment(ref _refused);
        load?.RecordFailure();
    }

    /// <summary>The exchange cut <paramref name="gateway"/> off (the first time counts).</summary>
    public void Disconnected(string gateway)
    {
        lock (_gate)
        {
            _disconnected.TryAdd(gateway, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>The exchange took <paramref name="gateway"/> back after cutting it off (the first time counts).</summary>
    public void Reconnected(string gateway)
    {
        lock (_gate)
        {
            if (_disconnected.ContainsKey(gateway))
            {
                _reconnected.TryAdd(gateway, DateTimeOffset.UtcNow);
            }
        }
    }

    public DateTimeOffset? ReconnectedAt(string gateway)
    {
        lock (_gate)
        {
            return _reconnected.TryGetValue(gateway, out var at) ? at : null;
        }
    }

    public DateTimeOffset? DisconnectedAt(string gateway)
    {
        lock (_gate)
        {
            return _disconnected.TryGetValue(gateway, out var at) ? at : null;
        }
    }

    public int AcceptedSince(string gateway, DateTimeOffset since) => AcceptedBetween(gateway, since, DateTimeOffset.MaxValue);

    public int AcceptedBetween(string gateway, DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return _accepted.TryGetValue(gateway, out var times) ? times.Count(t => t >= from && t < to) : 0;
        }
    }
}

/// <summary>The simulated exchange: accepts orders from connected gateways, refuses the others.</summary>
internal sealed class Exchange : ReceiveActor
{
    private readonly HashSet<string> _disconnected = [];

    public Exchange(ExchangeBook book)
    {
        Receive<Disconnect>(d =>
        {
            _disconnected.Add(d.Gateway);
            book.Disconnected(d.Gateway);
        });
        Receive<Reconnect>(r =>
        {
            _disconnected.Remove(r.Gateway);
            book.Reconnected(r.Gateway);
        });
        Receive<Order>(o =>
        {
            if (_disconnected.Contains(o.Gateway))
            {
                book.Refuse();
            }
            else
            {
                book.Accept(o);
            }
        });
    }
}

/// <summary>Keeps the upgrade's child events: which gateways ever ran v2, and when each was stopped to be replaced.</summary>
internal sealed class UpgradeRecorder : ReceiveActor
{
    public UpgradeRecorder(ConcurrentQueue<ChildEvent> events) => Receive<ChildEvent>(events.Enqueue);
}

/// <summary>Disconnects a gateway at the exchange the moment its start fails, and reconnects it once it runs again.</summary>
internal sealed class KillSwitch : ReceiveActor
{
    private readonly HashSet<string> _killed = [];

    public KillSwitch(IActorRef exchange, SampleRun run)
    {
        Receive<ChildStartFailed>(f => f.SupervisorPath == "trading/fleet", f =>
        {
            if (_killed.Add(f.ChildId))
            {
                exchange.Tell(new Disconnect(f.ChildId));
                run.Timeline.Add(MomentKind.GaveUp, f.ChildPath, "kill switch: disconnected at the exchange");
            }
        });
        Receive<ChildStarted>(s => s.SupervisorPath == "trading/fleet" && _killed.Contains(s.ChildId), s =>
        {
            exchange.Tell(new Reconnect(s.ChildId));
            run.Timeline.Add(MomentKind.Restart, s.ChildPath, "kill switch: reconnected");
        });
    }
}
