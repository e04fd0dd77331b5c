using System.Diagnostics;
using Akka.Actor;
using Supervise.Samples.Common;

namespace Supervise.Samples.Telecom;

/// <summary>
/// A telephone switch: a thousand concurrent calls, each a temporary child of a dynamic supervisor, each
/// exchanging voice frames; the fault injector crashes calls at random. A crashing call drops no other call.
/// </summary>
internal sealed class TelecomSample : ISample
{
    /// <summary>Calls up at once.</summary>
    internal const int ConcurrentCalls = 1000;

    /// <summary>Voice frames in a call before it hangs up.</summary>
    internal const int FramesPerCall = 20;

    public string Name => "telecom";

    public string Summary => "A switch with a thousand concurrent calls, each a temporary child; calls crash at random, and a crashing call drops no other.";

    public TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    public double DefaultFaultsPerSecond => 20;

    public async Task<SampleOutcome> RunAsync(SampleRun run)
    {
        using var system = ActorSystem.Create("telecom", "akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        var calls = new DynamicSupervisorSpec(new ChildTemplate(args => Props.Create(() => new Call((int)args!)))
        {
            Restart = RestartType.Temporary, // a dropped call is not redialled: the caller hangs up
            Criticality = Criticality.Optional,
        });
        var spec = new SupervisorSpec
        {
            Children =
            [
                ChildSpec.Worker("router", Props.Create(() => new Router())),
                ChildSpec.ForSupervisor("calls", calls),
                ChildSpec.Worker("billing", Props.Create(() => new Router())),
            ],
        };

        run.Say($"A switch starts: router, calls (a dynamic supervisor; every call is a temporary child), billing. {ConcurrentCalls} calls are kept up, each {FramesPerCall} voice frames long.");
        var tree = await system.StartTreeAsync(spec, new TreeOptions { Name = "switch" });
        run.Show(system, tree);
        var callSupervisor = await tree.GetSupervisorAsync("calls");
        var switchboard = system.ActorOf(Props.Create(() => new Switchboard(callSupervisor, run.Load)), "switchboard");

        FaultInjector? injector = null;
        if (run.Chaos(new FaultTargets { Include = ["switch/calls/*"] }, new FaultChoice(FaultKind.Crash)) is { } chaos)
        {
            run.Say($"The fault injector crashes calls at random, {run.FaultsPerSecond:0.#} a second on average (seed {run.Seed}). Watch the other calls carry on.");
            injector = await tree.StartChaosAsync(chaos);
        }

        await run.WaitForDurationAsync();
        var report = injector is null ? null : await injector.StopAsync("the sample's time was up");
        run.Say("Time is up: no new calls; the calls still up finish.");
        var stats = await switchboard.Ask<SwitchboardStats>(Close.Instance, TimeSpan.FromSeconds(60));
        await tree.StopAsync();
        await run.Timeline.FlushAsync(); // what the last stops published is in the timeline before the system ends
        await system.Terminate();

        // A call may end early only where a fault struck it.
        var struck = (report?.Journal.Faults ?? []).Where(f => f.Skipped is null).Select(f => f.Target).ToHashSet(StringComparer.Ordinal);
        var droppedWithoutFault = stats.Dropped.Where(id => !struck.Contains("switch/calls/" + id)).ToList();
        var others = run.Timeline.Moments.Where(m => m.Kind is MomentKind.Restart or MomentKind.GaveUp && !m.Path.StartsWith("switch/calls/", StringComparison.Ordinal)).ToList();
        var violations = new List<string>();
        if (droppedWithoutFault.Count > 0)
        {
            violations.Add($"{droppedWithoutFault.Count} call(s) dropped that no fault struck: {string.Join(", ", droppedWithoutFault.Take(10))}");
        }

        if (stats.Started == 0)
        {
            violations.Add("no call was ever connected: the switch demonstrated nothing");
        }

        if (stats.NotConnected.Count > 0)
        {
            // Nothing here refuses a call (no limit on calls, faults strike only calls already up): a refusal is a fault of the switch.
            violations.Add($"{stats.NotConnected.Count} call(s) the switch could not connect: {string.Join("; ", stats.NotConnected.Take(3))}");
        }

        if (others.Count > 0)
        {
            violations.Add($"{others.Count} restart(s) or give-up(s) outside the calls: {string.Join("; ", others.Take(5).Select(m => m.Path + " " + m.Detail))}");
        }

        var findings = new List<string>
        {
            $"{stats.Started} calls: {stats.Completed} completed, {stats.Dropped.Count} dropped, each by a fault that struck it ({struck.Count} faults carried out); {stats.NotConnected.Count} not connected",
            $"voice frames: {run.Load.Overall()}",
        };
        return new SampleOutcome(violations.Count == 0, "a crashing call drops no other call", findings, violations) { Chaos = report };
    }

    private sealed record Frame(long SentAt);

    private sealed record FrameAck(long SentAt);

    private sealed record HungUp(int CallId);

    private sealed class Close
    {
        public static readonly Close Instance = new();
    }

    /// <summary>How the calls ended: every call dialled is started (then completed or dropped) or not connected (with the switch's answer).</summary>
    internal sealed record SwitchboardStats(int Started, int Completed, IReadOnlyList<string> Dropped, IReadOnlyList<string> NotConnected);

    /// <summary>Routes and bills; here it only has to stay up.</summary>
    private sealed class Router : ReceiveActor
    {
        public Router() => ReceiveAny(_ => { });
    }

    /// <summary>One call: answers each voice frame, hangs up after <see cref="FramesPerCall"/>.</summary>
    private sealed class Call : ReceiveActor
    {
        private int _frames;

        public Call(int id) => Receive<Frame>(frame =>
        {
            Sender.Tell(new FrameAck(frame.SentAt));
            if (++_frames == FramesPerCall)
            {
                Sender.Tell(new HungUp(id));
                Context.Stop(Self);
            }
        });
    }

    /// <summary>
    /// Keeps <see cref="ConcurrentCalls"/> calls up: dials through the call supervisor, sends each call a voice
    /// frame every 50 ms, measures the answers, and notes how each call ended (hung up, or dropped).
    /// </summary>
    private sealed class Switchboard : ReceiveActor, IWithTimers
    {
        private readonly SupervisorHandle _calls;
        private readonly LoadMeter _load;
        private readonly Dictionary<IActorRef, (int Number, string Id)> _up = [];
        private readonly HashSet<int> _hungUp = [];
        private readonly List<string> _dropped = [];
        private int _dialling;
        private int _dialled;
        private int _completed;
        private readonly List<string> _notConnected = [];
        private IActorRef? _closing;

        public Switchboard(SupervisorHandle calls, LoadMeter load)
        {
            _calls = calls;
            _load = load;
            Receive<Tick>(_ => OnTick());
            Receive<Dialled>(d =>
            {
                _dialling--;
                if (d.Result is StartChildResult.Started started)
                {
                    _up[started.Child] = (d.Number, started.Id);
                    Context.Watch(started.Child);
                }
                else
                {
                    _notConnected.Add($"call {d.Number}: {d.Result}"); // the switch refused the call: it never started, so it was never up
                }

                ReplyIfClosed();
            });
            Receive<FrameAck>(ack => _load.Record(Stopwatch.GetElapsedTime(ack.SentAt)));
            Receive<HungUp>(h => _hungUp.Add(h.CallId));
            Receive<Terminated>(t =>
            {
                if (_up.Remove(t.ActorRef, out var call))
                {
                    if (_hungUp.Remove(call.Number))
                    {
                        _completed++;
                    }
                    else
                    {
                        _dropped.Add(call.Id);
                    }
                }

                ReplyIfClosed();
            });
            Receive<Close>(_ =>
            {
                _closing = Sender;
                ReplyIfClosed();
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, TimeSpan.FromMilliseconds(50));

        private void OnTick()
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var call in _up.Keys)
            {
                call.Tell(new Frame(now));
            }

            // Dial up to the target (a few hundred at a time, so a tick stays short).
            for (var i = 0; _closing is null && _up.Count + _dialling < ConcurrentCalls && i < 250; i++)
            {
                var number = ++_dialled;
                _dialling++;
                _calls.StartChildAsync(number).PipeTo(Self, success: r => new Dialled(number, r), failure: e => new Dialled(number, new StartChildResult.Failed("", e)));
            }
        }

        private void ReplyIfClosed()
        {
            if (_closing is not null && _up.Count == 0 && _dialling == 0)
            {
                _closing.Tell(new SwitchboardStats(_dialled - _notConnected.Count, _completed, _dropped.ToList(), _notConnected.ToList()));
                _closing = null;
            }
        }

        private sealed record Dialled(int Number, StartChildResult Result);

        private sealed class Tick
        {
            public static readonly Tick Instance = new();
        }
    }
}
