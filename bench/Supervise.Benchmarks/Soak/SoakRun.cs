using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;

namespace Supervise.Benchmarks.Soak;

/// <summary>What a soak measured: its chaos report's text, every tracked message's fate, and managed memory.</summary>
/// <param name="Workers">Workers the messages went to.</param>
/// <param name="Report">The chaos report, as text.</param>
/// <param name="Sent">Tracked messages sent.</param>
/// <param name="Answered">Answered by a worker (or a stand-in).</param>
/// <param name="Reported">Reported dropped (<see cref="MessageDropped"/>).</param>
/// <param name="Twice">Messages answered or reported more than once, described.</param>
/// <param name="Missing">Messages neither answered nor reported (up to 10), with when they were sent and the faults on their path.</param>
/// <param name="ManagedBefore">Managed memory before the chaos run, in bytes.</param>
/// <param name="ManagedAfter">Managed memory after it, its report set aside.</param>
public sealed record SoakResult(int Workers, string Report, long Sent, long Answered, long Reported, IReadOnlyList<string> Twice, IReadOnlyList<string> Missing, long ManagedBefore, long ManagedAfter)
{
    /// <summary>Messages neither answered nor reported: lost silently (one answered twice does not make up for one lost).</summary>
    public long Unaccounted { get; init; }

    /// <summary>How managed memory changed over the run (0.05 is 5 % more).</summary>
    public double Growth => (double)ManagedAfter / ManagedBefore - 1;
}

/// <summary>
/// A soak on the system clock: a tree of about 10,000 workers (one-for-one, one-for-all and rest-for-one groups, a dynamic
/// supervisor with backoff, workers behind a circuit breaker and a fallback) takes every kind of fault while tracked
/// messages go through the children's stable addresses; then every message must be answered or reported once, and
/// managed memory, once the run's report is set aside, is measured. The CI soak (a test) and the long one (the command
/// line: <c>soak --minutes 10 --faults 1000000</c>) run this.
/// </summary>
public static class SoakRun
{
    /// <summary>Tracked messages sent a second.</summary>
    public const int PerSecond = 3_000;

    /// <summary>Runs a soak. <paramref name="check"/> sees the chaos report before it is set aside for the memory figure.</summary>
    public static async Task<SoakResult> RunAsync(SoakSettings settings, Action<string> log, Action<ChaosReport> check)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(check);
        // Off: the soak makes supervisors give up by the hundred, each logged at Error with its stack; the report counts them.
        using var system = ActorSystem.Create("soak", ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.log-dead-letters = off"));
        try
        {
            var tree = await system.StartTreeAsync(Spec(), new TreeOptions { Name = "soak", CallTimeout = TimeSpan.FromSeconds(60) });
            var sessions = await tree.GetSupervisorAsync("sessions");
            var started = await sessions.StartChildrenAsync(Enumerable.Range(0, 4_000).Select(i => (object?)i));
            if (started.FirstOrDefault(r => r is not StartChildResult.Started) is { } failed)
            {
                throw new InvalidOperationException($"a session did not start: {failed}");
            }

            var addresses = await AddressesAsync(tree);
            log($"{addresses.Count} workers; seed {settings.Seed}; {settings.Duration.TotalSeconds:0} s; a burst of {settings.Burst} every {settings.Interval.TotalMilliseconds:0.#} ms on average{(settings.MaxFaults > 0 ? $", at most {settings.MaxFaults} faults" : "")}");
            var ledger = new Ledger((int)Math.Min(int.MaxValue - 1, (settings.Duration.TotalSeconds + 5) * PerSecond * 2), addresses);
            var collector = system.ActorOf(Props.Create(() => new Collector(ledger)));
            var listener = system.ActorOf(Props.Create(() => new DropListener(ledger)));
            system.EventStream.Subscribe(listener, typeof(MessageDropped));

            // A short chaos run first, without tracked messages: what any run leaves behind, bounded by the tree (the injector's
            // cache of targets on each supervisor, each child's last failure), is then in both figures, and only growth is not.
            var warmUp = await tree.StartChaosAsync(Options(settings) with { Seed = settings.Seed + 1, Duration = WarmUp, MaxFaults = null });
            await warmUp.Completion;
            await warmUp.Actor.WatchAsync().WaitAsync(TimeSpan.FromSeconds(60));
            warmUp = null!;
            await RestoreShapeAsync(tree, log);
            // The journal keeps a long run's first records only: the faults around a message unanswered for a few seconds are
            // noted while they are still in this ring, to tell what was on its path if it turns out lost.
            var recent = new RecentFaults(ledger, 1 << 17);
            var before = Managed();
            var injector = await tree.StartChaosAsync(Options(settings) with { JournalSink = recent.Add });
            var watching = recent.WatchAsync(injector.Completion, TimeSpan.FromSeconds(5));
            await SendUntilAsync(addresses, collector, ledger, injector.Completion, new Random(settings.Seed));
            await watching;
            var report = await injector.Completion;
            var text = report.ToText();
            log(text);

            // Every message sent is answered or reported once the tree has done what the faults asked of it.
            await ledger.AllAccountedAsync(TimeSpan.FromSeconds(60));
            log($"sent {ledger.Sent:N0}, answered {ledger.AnsweredCount:N0}, reported {ledger.ReportedCount:N0}");
            var missing = ledger.Missing().Select(m => $"{m.Path}: sent at {m.SentAt}; its faults: {recent.On(m.Id, m.Path, report.Journal)}").ToList();
            missing.ForEach(log);
            recent.Clear(); // set aside for the memory figure, as the report is
            check(report);

            // The run is over, its injector gone (it handled what was left in its mailbox) and its report set aside: what it
            // kept must be collectable.
            await injector.Actor.WatchAsync().WaitAsync(TimeSpan.FromSeconds(60));
            (report, injector) = (null!, null!);
            // The soak's list of addresses is done with: the sessions' old ones (their supervisor restarted) would otherwise
            // stay reachable from here, and count as the tree's growth.
            var workers = addresses.Count;
            addresses.Clear();
            addresses.TrimExcess();
            var rootSurvived = !tree.Completion.IsCompleted;
            if (rootSurvived)
            {
                await RestoreShapeAsync(tree, log);
            }
            else
            {
                log("the tree's root gave up: no memory figure of the same tree after the run (the root's end is in the report above)");
            }

            var after = Managed();
            log($"managed memory: {(before - ledger.Bytes) / 1e6:N1} MB before the run, {(after - ledger.Bytes) / 1e6:N1} MB after it, its report and this soak's ledger of messages set aside");
            await tree.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            // The ledger is made before the run and kept to its end: it is not the tree's memory.
            return new SoakResult(workers, text, ledger.Sent, ledger.AnsweredCount, ledger.ReportedCount, ledger.Twice, missing, before - ledger.Bytes, after - ledger.Bytes)
            {
                Unaccounted = ledger.Sent - ledger.DoneCount,
            };
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>The warm-up's length: a few seconds of the same chaos before the memory figure's start.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The same tree for both memory figures: a restarted dynamic supervisor starts with no children (as OTP's does), and a
    /// tree of 6,000 actors is not compared with one of 10,000.
    /// </summary>
    private static async Task RestoreShapeAsync(SupervisionTree tree, Action<string> log)
    {
        var sessions = await tree.GetSupervisorAsync("sessions");
        var missing = 4_000 - (await sessions.CountChildrenAsync()).Active;
        if (missing > 0)
        {
            log($"{missing} sessions started again before the memory figure (their supervisor was restarted by a fault)");
            await sessions.StartChildrenAsync(Enumerable.Range(0, missing).Select(i => (object?)i));
        }
    }

    private static ChaosOptions Options(SoakSettings settings) => new()
    {
        Seed = settings.Seed,
        EnvironmentName = "Test",
        Faults =
        [
            new FaultChoice(FaultKind.Crash, 4),
            new FaultChoice(FaultKind.Kill),
            new FaultChoice(FaultKind.Stop),
            new FaultChoice(FaultKind.Poison),
            new FaultChoice(FaultKind.FailingRestart),
            new FaultChoice(FaultKind.Hang) { Duration = TimeSpan.FromMilliseconds(100) },
            new FaultChoice(FaultKind.Delay) { Duration = TimeSpan.FromMilliseconds(50) },
            new FaultChoice(FaultKind.Drop) { Count = 2 },
        ],
        Targets = new FaultTargets { IncludeSupervisors = true },
        Schedule = FaultSchedule.Poisson(settings.Interval) with { Burst = settings.Burst },
        MaxConcurrentFaults = 16 * settings.Burst,
        StayBelowIntensity = true,
        // Half of each window for the run: the rest is for the soak's own crashing messages, which would otherwise make a
        // supervisor the run holds at its limit give up (at a high rate, often enough for the root to give up in turn).
        IntensityShare = 0.5,
        RecoveryTimeout = TimeSpan.FromSeconds(5),
        Duration = settings.Duration,
        MaxFaults = settings.MaxFaults > 0 ? settings.MaxFaults : null,
        // A long run keeps the first records and counts the rest: memory stays flat.
        JournalCapacity = 100_000,
    };

    private static SupervisorSpec Spec()
    {
        static IEnumerable<ChildSpec> Workers(string prefix, int count, IReadOnlyList<DegradationPolicy>? policies = null) =>
            Enumerable.Range(0, count).Select(i => ChildSpec.Worker($"{prefix}{i}", EchoProps) with { Policies = policies });
        static ChildSpec Group(string id, Strategy strategy) =>
            ChildSpec.ForSupervisor(id, new SupervisorSpec { Strategy = strategy, Intensity = 5, Period = TimeSpan.FromSeconds(5), Children = Workers("w", 10).ToList() });
        var guarded = new DegradationPolicy[] { Policy.CircuitBreaker(1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), Policy.Fallback(EchoProps) };
        return new SupervisorSpec
        {
            Intensity = 20,
            Period = TimeSpan.FromSeconds(5),
            Children =
            [
                ChildSpec.ForSupervisor("accounts", new SupervisorSpec { Intensity = 100, Period = TimeSpan.FromSeconds(5), Children = Workers("a", 2_000).ToList() }),
                ChildSpec.ForSupervisor("guarded", new SupervisorSpec { Intensity = 100, Period = TimeSpan.FromSeconds(5), Children = Workers("g", 1_000, guarded).ToList() }),
                ChildSpec.ForSupervisor("ledgers", new SupervisorSpec { Intensity = 100, Period = TimeSpan.FromSeconds(5), Children = Enumerable.Range(0, 150).Select(i => Group($"l{i}", Strategy.OneForAll)).ToList() }),
                ChildSpec.ForSupervisor("pipelines", new SupervisorSpec { Intensity = 100, Period = TimeSpan.FromSeconds(5), Children = Enumerable.Range(0, 150).Select(i => Group($"p{i}", Strategy.RestForOne)).ToList() }),
                ChildSpec.ForSupervisor("sessions", new DynamicSupervisorSpec(new ChildTemplate(_ => EchoProps) { Policies = [Policy.Backoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(200)) with { Seed = 7 }] }) { Intensity = 100, Period = TimeSpan.FromSeconds(5) }),
            ],
        };
    }

    private static readonly Props EchoProps = Props.Create<Echo>();

    /// <summary>The stable address of every worker, by walking the tree.</summary>
    private static async Task<List<ChildAddress>> AddressesAsync(SupervisionTree tree)
    {
        var addresses = new List<ChildAddress>(10_000);
        async Task Walk(SupervisorHandle supervisor)
        {
            foreach (var child in await supervisor.WhichChildrenAsync())
            {
                if (child.Kind == ChildKind.Supervisor)
                {
                    await Walk(await supervisor.GetSupervisorAsync(child.Id));
                }
                else
                {
                    addresses.Add(await supervisor.GetChildAsync(child.Id));
                }
            }
        }

        await Walk(tree.Root);
        return addresses;
    }

    /// <summary>Sends tracked messages to random workers at about <see cref="PerSecond"/> until the run ends.</summary>
    private static async Task SendUntilAsync(List<ChildAddress> addresses, IActorRef collector, Ledger ledger, Task ended, Random random)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!ended.IsCompleted && await ticks.WaitForNextTickAsync())
        {
            for (var i = 0; i < PerSecond / 100 && ledger.HasRoom; i++)
            {
                // Some crash whoever handles them, the child or its fallback stand-in (one in ten behind a breaker, whose
                // circuits then open often, one in 500 elsewhere): each must be reported dropped.
                var to = random.Next(addresses.Count);
                var crashes = random.Next(addresses[to].SupervisorPath.EndsWith("/guarded", StringComparison.Ordinal) ? 10 : 500) == 0;
                addresses[to].Tell(new Track(ledger.NextId(to), crashes), collector);
            }
        }
    }

    private static long Managed() => GC.GetTotalMemory(forceFullCollection: true);

    private sealed record Track(long Id, bool Crashes);

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m is Track { Crashes: true } ? throw new InvalidOperationException("a message that crashes its handler") : m));
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(Ledger ledger) => Receive<Track>(t => ledger.Answer(t.Id));
    }

    private sealed class DropListener : ReceiveActor
    {
        public DropListener(Ledger ledger) => Receive<MessageDropped>(d => d.Message is Track t, d => ledger.Report(((Track)d.Message).Id, d.Why));
    }

    /// <summary>Every tracked message: sent to a worker, then answered or reported, once. Sized beforehand: it does not grow during the run.</summary>
    /// <summary>
    /// The faults carried out in the last few tens of seconds, in a ring of fixed size stamped with the ledger's clock; a
    /// watchdog looks, while they are still here, at the faults around each message still unanswered a few seconds after it
    /// was sent, so that a message found lost at the end of a long run has the faults on its path when it was sent.
    /// </summary>
    private sealed class RecentFaults(Ledger ledger, int capacity)
    {
        private readonly Seen?[] _ring = new Seen?[capacity];
        private readonly ConcurrentDictionary<long, string> _around = new();
        private long _next;
        private long _checkedUpTo;

        public void Add(FaultRecord record)
        {
            if (record.Skipped is null)
            {
                Volatile.Write(ref _ring[Interlocked.Increment(ref _next) % _ring.Length], new Seen(record, ledger.Now));
            }
        }

        /// <summary>Every second until <paramref name="ended"/>: the messages sent over <paramref name="after"/> ago and not answered or reported get their faults noted.</summary>
        public async Task WatchAsync(Task ended, TimeSpan after)
        {
            using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (!ended.IsCompleted && await ticks.WaitForNextTickAsync())
            {
                var cutoff = ledger.Now - after;
                _checkedUpTo = ledger.Unanswered(_checkedUpTo, cutoff, (id, path, sentAt) =>
                {
                    if (_around.Count < 100)
                    {
                        _around[id] = Around(path, sentAt); // bounded: a run with more has a problem the first hundred show
                    }
                });
            }
        }

        public void Clear()
        {
            Array.Clear(_ring);
            _around.Clear();
        }

        /// <summary>The faults noted around a lost message by the watchdog, else those of the journal on its path.</summary>
        public string On(long id, string path, FaultJournal journal) =>
            _around.TryGetValue(id, out var noted) ? noted
            : string.Join("; ", journal.Faults.Where(f => Hits(f, path)).Select(f => $"{f.Sequence} {f.Kind} on {f.Target} at {f.At}{(f.Skipped is null ? "" : " skipped")}")) + " (the journal's first records only)";

        private string Around(string path, TimeSpan sentAt)
        {
            var near = _ring.Select(s => Volatile.Read(ref s)).OfType<Seen>()
                .Where(s => Hits(s.Record, path) && (s.At - sentAt).Duration() <= TimeSpan.FromSeconds(3))
                .OrderBy(s => s.Record.Sequence)
                .Select(s => $"{s.Record.Sequence} {s.Record.Kind} on {s.Record.Target} {(s.At - sentAt).TotalMilliseconds:+0.0;-0.0} ms");
            return string.Join("; ", near) + " (faults carried out within 3 s of its sending, on its path or above, in ms from it)";
        }

        private static bool Hits(FaultRecord f, string path) => f.Target == path || path.StartsWith(f.Target + "/", StringComparison.Ordinal);

        private sealed record Seen(FaultRecord Record, TimeSpan At);
    }

    private sealed class Ledger(int capacity, List<ChildAddress> addresses)
    {
        private const byte Answered = 1;
        private const byte Reported = 2;
        private readonly int[] _to = new int[capacity + 1];
        private readonly byte[] _state = new byte[capacity + 1];
        private readonly long[] _sentAt = new long[capacity + 1];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentQueue<string> _twice = new();
        private long _sent;
        private long _answered;
        private long _reported;
        private long _done;

        public long Sent => Interlocked.Read(ref _sent);

        /// <summary>Messages answered or reported, each once.</summary>
        public long DoneCount => Interlocked.Read(ref _done);

        /// <summary>What the ledger's arrays take.</summary>
        public long Bytes => (long)_to.Length * (sizeof(int) + sizeof(byte) + sizeof(long));

        public bool HasRoom => Sent < capacity;

        public long AnsweredCount => Interlocked.Read(ref _answered);

        public long ReportedCount => Interlocked.Read(ref _reported);

        public IReadOnlyList<string> Twice => _twice.ToArray();

        public long NextId(int to)
        {
            var id = Interlocked.Increment(ref _sent);
            _to[id] = to;
            _sentAt[id] = _clock.Elapsed.Ticks;
            return id;
        }

        /// <summary>The messages neither answered nor reported (up to 10): where to, and when sent (from the ledger's start, near the run's).</summary>
        public IEnumerable<(long Id, string Path, TimeSpan SentAt)> Missing() =>
            Enumerable.Range(1, (int)Sent).Where(id => Volatile.Read(ref _state[id]) == 0).Take(10).Select(id => ((long)id, Path(id), TimeSpan.FromTicks(_sentAt[id])));

        /// <summary>The ledger's clock.</summary>
        public TimeSpan Now => _clock.Elapsed;

        /// <summary>
        /// Calls <paramref name="unanswered"/> for each message after <paramref name="from"/> sent before <paramref name="cutoff"/> and
        /// neither answered nor reported yet; returns the last id looked at.
        /// </summary>
        public long Unanswered(long from, TimeSpan cutoff, Action<long, string, TimeSpan> unanswered)
        {
            var id = from;
            var sent = Sent;
            while (id < sent && _sentAt[id + 1] != 0 && _sentAt[id + 1] < cutoff.Ticks)
            {
                id++;
                if (Volatile.Read(ref _state[id]) == 0)
                {
                    unanswered(id, Path(id), TimeSpan.FromTicks(_sentAt[id]));
                }
            }

            return id;
        }

        public void Answer(long id)
        {
            Interlocked.Increment(ref _answered);
            Done(id, Answered, "answered");
        }

        public void Report(long id, string why)
        {
            Interlocked.Increment(ref _reported);
            Done(id, Reported, "reported: " + why);
        }

        private void Done(long id, byte how, string what)
        {
            var was = Interlocked.CompareExchange(ref _state[id], how, 0);
            if (was != 0)
            {
                _twice.Enqueue($"message {id} to {Path(id)}: {(was == Answered ? "answered" : "reported")}, then {what}");
                return;
            }

            Interlocked.Increment(ref _done);
        }

        private string Path(long id) => addresses[_to[id]] is var a ? $"{a.SupervisorPath}/{a.ChildId}" : "?";

        /// <summary>Waits until every message sent is answered or reported, or the bound passes.</summary>
        public async Task AllAccountedAsync(TimeSpan bound)
        {
            using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            var waited = Stopwatch.StartNew();
            while (Interlocked.Read(ref _done) < Sent && waited.Elapsed < bound)
            {
                await ticks.WaitForNextTickAsync();
            }
        }
    }
}
