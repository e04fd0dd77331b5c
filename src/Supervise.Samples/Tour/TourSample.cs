using Akka.Actor;
using Supervise.Samples.Common;

namespace Supervise.Samples.Tour;

/// <summary>
/// A first look: a small tree crashes and heals, a supervisor exceeds its intensity and escalates, and a
/// degradation policy keeps a failing child from taking anything else down; each step explained as it happens.
/// </summary>
internal sealed class TourSample : ISample
{
    public string Name => "tour";

    public string Summary => "A small tree: one crash, a supervisor past its intensity, then a degradation policy, explained step by step.";

    public TimeSpan DefaultDuration => TimeSpan.FromSeconds(30);

    public double DefaultFaultsPerSecond => 0;

    public string? ScriptedFaults => "the tour's faults are its steps, each one scripted";

    public string? FixedLength => "the tour runs its seven steps, then ends";

    public async Task<SampleOutcome> RunAsync(SampleRun run)
    {
        using var system = ActorSystem.Create("tour", "akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        var findings = new List<string>();
        var violations = new List<string>();
        void Expect(bool held, string what)
        {
            if (!held)
            {
                violations.Add(what);
            }
        }

        var payments = new SupervisorSpec
        {
            Strategy = Strategy.RestForOne,
            Intensity = 3,
            Period = TimeSpan.FromSeconds(30),
            Children = [ChildSpec.Worker("gateway", Worker.Props("gateway")), ChildSpec.Worker("processor", Worker.Props("processor"))],
        };
        var spec = new SupervisorSpec
        {
            Children =
            [
                ChildSpec.Worker("ledger", Worker.Props("ledger")),
                ChildSpec.ForSupervisor("payments", payments),
                ChildSpec.Worker("recommender", Worker.Props("recommender")) with
                {
                    Criticality = Criticality.Optional,
                    Policies = [Policy.Isolate(), Policy.Reject()],
                },
            ],
        };

        run.Say("1. Start a tree: ledger, payments (rest-for-one: gateway, processor), recommender. Children start in order.");
        var tree = await system.StartTreeAsync(spec, new TreeOptions { Name = "shop" });
        run.Show(system, tree);
        await SettleAsync(tree);
        var paymentsSupervisor = await tree.GetSupervisorAsync("payments");
        var processor = await paymentsSupervisor.GetChildAsync("processor");
        var gateway = await paymentsSupervisor.GetChildAsync("gateway");
        var ledger = await tree.GetChildAsync("ledger");

        await run.PauseAsync();
        run.Say("2. The processor crashes. Payments is rest-for-one and the processor started last, so only it restarts, in place.");
        await CrashAsync(system, tree, processor, "card network timeout", e => e is ChildRestarted { ChildId: "processor" });
        run.Say(await processor.AskAsync<string>(new Job(1)));

        await run.PauseAsync();
        run.Say("3. The gateway crashes: rest-for-one restarts it and the processor started after it. The ledger is untouched.");
        await CrashAsync(system, tree, gateway, "TLS handshake failed", e => e is ChildRestarted { ChildId: "processor", TriggeredBy: "gateway" });
        run.Say(await ledger.AskAsync<string>(new Job(2)));

        await run.PauseAsync();
        run.Say("4. Messages queued for a crashing child survive its restart: 3 jobs sent right behind a crash.");
        var restartedAgain = WhenEventAsync(system, e => e is ChildRestarted { ChildId: "processor" });
        processor.Tell(new Fail("bad record"));
        var replies = await Task.WhenAll(Enumerable.Range(3, 3).Select(n => processor.AskAsync<string>(new Job(n))));
        foreach (var reply in replies)
        {
            run.Say(reply);
        }

        // Answered in order, by the new incarnation (it counts from 1): none was lost in the restart.
        Expect(replies.Select((r, i) => r == $"processor handled job {3 + i} ({1 + i} since its last start)").All(ok => ok), "the three jobs queued behind a crash are answered in order by the restarted processor");
        await restartedAgain;
        await SettleAsync(tree);

        await run.PauseAsync();
        run.Say("5. Payments allows 3 restarts in 30 s and has made 3. One more crash and it gives up: it stops its children in reverse order and fails to the root, which restarts the whole payments subtree (escalation).");
        await CrashAsync(system, tree, processor, "disk full", e => e is ChildRestarted { SupervisorPath: "shop", ChildId: "payments" });
        var restarted = await tree.GetSupervisorAsync("payments");
        var counts = await restarted.CountChildrenAsync();
        run.Say($"payments is back with {counts.Active} running children, fresh: {await (await restarted.GetChildAsync("processor")).AskAsync<string>(new Job(6))}");
        var ledgerReply = await ledger.AskAsync<string>(new Job(7));
        run.Say("and the ledger, in another subtree, never noticed: " + ledgerReply);
        Expect(counts.Active == 2, "payments restarted with both children");
        Expect(ledgerReply.Contains("(2 since its last start)", StringComparison.Ordinal), "the ledger was never restarted");

        await run.PauseAsync();
        run.Say("6. The recommender is Optional, with Isolate and Reject: it may fail without taking anything down. It crashes until it would exceed the root's intensity (3 restarts in 5 s, one of them just spent on payments) ...");
        var recommender = await tree.GetChildAsync("recommender");
        SupervisionEvent? answered = null;
        for (var i = 0; i < 4 && answered is not ChildIsolated; i++)
        {
            answered = await CrashAsync(system, tree, recommender, "model server unreachable", e => e is ChildRestarted { ChildId: "recommender" } or ChildIsolated { ChildId: "recommender" });
        }

        var answer = await recommender.Ask<object>(new Job(8), TimeSpan.FromSeconds(5));
        run.Say($"... so it is isolated: Down, and callers get an immediate answer instead of waiting: {answer}");
        run.Say($"The root is {tree.RootHealth} (an Optional child down degrades it, nothing more); the ledger still answers: {await ledger.AskAsync<string>(new Job(9))}");
        Expect(answer is Unavailable, "callers of the isolated recommender get Unavailable at once");
        Expect(tree.RootHealth == HealthState.Degraded, "the root is Degraded, not Down, with an Optional child isolated");

        await run.PauseAsync();
        run.Say("7. Stop the tree: children stop in reverse start order, supervisors after their children.");
        run.Timeline.ShowStopsFrom(TimeProvider.System.GetUtcNow()); // the tree's clock: the system's
        var outcome = await tree.StopAsync();
        run.Say($"The tree stopped: {outcome.Reason}. Every failure stayed inside the subtree that owned it.");
        Expect(outcome.Reason == TreeStopReason.Stopped, "the tree stops in order");
        await run.Timeline.FlushAsync(); // what the last stops published is in the timeline before the system ends
        await system.Terminate();
        var restarts = run.Timeline.Moments.Count(m => m.Kind == MomentKind.Restart);
        findings.Add($"{restarts} {(restarts == 1 ? "restart" : "restarts")}, {run.Timeline.Moments.Count(m => m.Kind == MomentKind.GaveUp)} give-ups or isolations, every one inside the subtree that owned it");
        return new SampleOutcome(violations.Count == 0, "every failure stays inside the subtree that owns it, and the tree stops in order", findings, violations);
    }

    // The tree has done all it can at this moment: restarts made, events published.
    private static Task SettleAsync(SupervisionTree tree) => tree.WhenSettledAsync(TimeSpan.FromSeconds(10));

    /// <summary>Crashes a child and waits until the tree has answered the crash (the event <paramref name="answered"/> says how).</summary>
    private static async Task<SupervisionEvent> CrashAsync(ActorSystem system, SupervisionTree tree, ChildAddress child, string why, Func<SupervisionEvent, bool> answered)
    {
        var done = WhenEventAsync(system, answered);
        child.Tell(new Fail(why));
        var answer = await done;
        await SettleAsync(tree);
        return answer;
    }

    /// <summary>Completes with the first supervision event that matches, published after this call (bounded: 10 s).</summary>
    private static Task<SupervisionEvent> WhenEventAsync(ActorSystem system, Func<SupervisionEvent, bool> match)
    {
        var seen = new TaskCompletionSource<SupervisionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Props.Create(() => new EventWatcher(match, seen)));
        system.EventStream.Subscribe(watcher, typeof(SupervisionEvent)); // now: nothing published after this is missed
        return seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class EventWatcher : ReceiveActor
    {
        public EventWatcher(Func<SupervisionEvent, bool> match, TaskCompletionSource<SupervisionEvent> seen) => Receive<SupervisionEvent>(e =>
        {
            if (match(e))
            {
                seen.TrySetResult(e);
                Context.Stop(Self);
            }
        });

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
    }
}
