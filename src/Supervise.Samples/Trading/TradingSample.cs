using System.Collections.Concurrent;
using System.Diagnostics;
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

    public string Summary => "A fleet of trading gateways gets a bad configuration: those that need what it lacks are isolated and cut off, the rest trade on, and it is rolled back.";

    public TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    public double DefaultFaultsPerSecond => 2;

    /// <summary>Every third gateway trades derivatives and must track positions.</summary>
    internal static bool NeedsTracking(int gateway) => gateway % 3 == 0;

    internal static string Id(int gateway) => $"gw-{gateway:00}";

    public async Task<SampleOutcome> RunAsync(SampleRun run)
    {
        using var system = ActorSystem.Create("trading", "akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        var store = new ConfigStore(Enumerable.Range(1, Gateways).Select(Id));
        var exchange = new ExchangeBook();
        var exchangeActor = system.ActorOf(Props.Create(() => new Exchange(exchange)), "exchange");
        var fleet = new SupervisorSpec
        {
            Intensity = 5,
            Period = TimeSpan.FromSeconds(10),
            Children = Enumerable.Range(1, Gateways).Select(g => ChildSpec.Worker(Id(g), Props.Create(() => new Gateway(Id(g), NeedsTracking(g), store, exchangeActor))) with
            {
                Policies = [Policy.Isolate()], // past the fleet's intensity, this gateway is stopped and stays Down; the others are untouched
                Tags = NeedsTracking(g) ? ["derivatives"] : ["cash"],
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
        run.Say($"Deployment: configuration v2 (no position-tracking section) goes to {string.Join(", ", targets.Select(Id))}; each is stopped and started again with it, one after another.");
        var deployedAt = DateTimeOffset.UtcNow;
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
        await run.UntilAsync(clock, run.Duration);
        var report = injector is null ? null : await injector.StopAsync("the sample's time was up");
        await tree.StopAsync();
        await system.Terminate();

        var violations = new List<string>();
        if (exchange.TradedWithoutTracking is { Count: > 0 } untracked)
        {
            violations.Add($"orders traded without position tracking: {string.Join(", ", untracked.Select(u => $"{u.Key} ×{u.Value}"))}");
        }

        foreach (var id in broken)
        {
            // At the exchange, not in the kill switch's own notes: the gateway was cut off there, and nothing of it traded until the rollback.
            if (exchange.DisconnectedAt(id) is not { } cut || cut > rolledBackAt)
            {
                violations.Add($"{id} failed validation but the exchange never disconnected it before the rollback");
            }
            else if (exchange.AcceptedBetween(id, cut, rolledBackAt) is > 0 and var traded)
            {
                violations.Add($"{id} was disconnected but the exchange accepted {traded} order(s) from it before the rollback");
            }

            if (beforeRollback.GetValueOrDefault(id) != HealthState.Down)
            {
                violations.Add($"{id} failed validation but was {beforeRollback.GetValueOrDefault(id)} before the rollback, not stopped (Down)");
            }
        }

        foreach (var id in Enumerable.Range(1, Gateways).Select(Id).Except(broken).Where(id => beforeRollback.GetValueOrDefault(id) == HealthState.Down))
        {
            violations.Add($"{id} has what it needs but was Down before the rollback: the failure did not stay with the broken gateways");
        }

        foreach (var id in Enumerable.Range(1, Gateways).Select(Id).Where(id => exchange.AcceptedSince(id, rolledBackAt) == 0))
        {
            violations.Add($"{id} did not trade after the rollback");
        }

        var healthy = Enumerable.Range(1, Gateways).Select(Id).Except(broken).ToList();
        var findings = new List<string>
        {
            $"v2 went to {targets.Count} gateways; {broken.Count} of them need position tracking and failed validation: {string.Join(", ", broken)}",
            "time to kill (deployment to disconnect at the exchange): " + string.Join(", ", broken.Select(id => exchange.DisconnectedAt(id) is { } at ? $"{id} {(at - deployed[id]).TotalMilliseconds:0.0} ms" : $"{id} never")),
            $"the other {healthy.Count} kept trading through the deployment: {healthy.Sum(id => exchange.AcceptedBetween(id, deployedAt, rolledBackAt))} orders accepted in that time",
            $"orders: {exchange.Accepted} accepted, {exchange.Refused} refused from disconnected gateways",
        };
        return new SampleOutcome(violations.Count == 0, "no gateway trades without position tracking", findings, violations) { Chaos = report };
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

internal sealed record Order(string Gateway, bool PositionTracked, bool NeedsTracking);

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
    {
        _id = id;
        _needsTracking = needsTracking;
        _exchange = exchange;
        _config = store.Get(id);
        if (needsTracking && !_config.HasPositionTracking)
        {
            throw new InvalidOperationException($"{id}: configuration v{_config.Version} lacks the position-tracking section this gateway needs");
        }

        Receive<Trade>(_ => _exchange.Tell(new Order(_id, _config.HasPositionTracking, _needsTracking)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer(Trade.Instance, Trade.Instance, TimeSpan.FromMilliseconds(25));

    private sealed class Trade
    {
        public static readonly Trade Instance = new();
    }
}

/// <summary>What the exchange saw: orders by gateway and time, refusals, and any order traded without tracking.</summary>
internal sealed class ExchangeBook
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _accepted = [];
    private readonly Dictionary<string, int> _untracked = [];
    private readonly Dictionary<string, DateTimeOffset> _disconnected = [];
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
            if (order.NeedsTracking && !order.PositionTracked)
            {
                _untracked[order.Gateway] = _untracked.GetValueOrDefault(order.Gateway) + 1;
            }
        }
    }

    public void Refuse() => Interlocked.Increment(ref _refused);

    /// <summary>The exchange cut <paramref name="gateway"/> off (the first time counts).</summary>
    public void Disconnected(string gateway)
    {
        lock (_gate)
        {
            _disconnected.TryAdd(gateway, DateTimeOffset.UtcNow);
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
        Receive<Reconnect>(r => _disconnected.Remove(r.Gateway));
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
