using Akka.Actor;

namespace Supervise.Samples.Tour;

/// <summary>
/// A first look: a small tree crashes and heals, step by step, explained as it happens.
/// </summary>
internal static class TourSample
{
    public static async Task<int> RunAsync(TextWriter output)
    {
        using var system = ActorSystem.Create("tour", "akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        var log = system.ActorOf(Props.Create(() => new EventPrinter(output)), "event-printer");
        system.EventStream.Subscribe(log, typeof(SupervisionEvent));

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
                ChildSpec.Worker("mailer", Worker.Props("mailer")) with { Restart = RestartType.Transient },
            ],
        };

        Say(output, "1. Start a tree: ledger, payments (rest-for-one: gateway, processor), mailer. Children start in order.");
        var tree = await system.StartTreeAsync(spec, new TreeOptions { Name = "shop" });
        await Settle();
        var paymentsSupervisor = await tree.GetSupervisorAsync("payments");
        var processor = await ChildAsync(paymentsSupervisor, "processor");
        var gateway = await ChildAsync(paymentsSupervisor, "gateway");
        var ledger = await ChildAsync(tree.Root, "ledger");

        Say(output, "2. The processor crashes. Payments is rest-for-one and the processor started last, so only it restarts, in place.");
        processor.Tell(new Fail("card network timeout"));
        await Settle();
        output.WriteLine("   " + await processor.Ask<string>(new Job(1), TimeSpan.FromSeconds(5)));

        Say(output, "3. The gateway crashes: rest-for-one restarts it and the processor started after it. The ledger is untouched.");
        gateway.Tell(new Fail("TLS handshake failed"));
        await Settle();
        output.WriteLine("   " + await ledger.Ask<string>(new Job(2), TimeSpan.FromSeconds(5)));

        Say(output, "4. Messages queued for a crashing child survive its restart: 3 jobs sent right behind a crash.");
        processor.Tell(new Fail("bad record"));
        var replies = await Task.WhenAll(Enumerable.Range(3, 3).Select(n => processor.Ask<string>(new Job(n), TimeSpan.FromSeconds(5))));
        foreach (var reply in replies)
        {
            output.WriteLine("   " + reply);
        }

        await Settle();
        Say(output, "5. Payments allows 3 restarts in 30 s and has made 3. One more crash and it gives up: it stops its");
        output.WriteLine("   children in reverse order and fails to the root, which restarts the whole payments subtree (escalation).");
        processor.Tell(new Fail("disk full"));
        await Settle();
        var restarted = await tree.GetSupervisorAsync("payments");
        var counts = await restarted.CountChildrenAsync();
        var newProcessor = await ChildAsync(restarted, "processor");
        output.WriteLine($"   payments is back with {counts.Active} running children, fresh:");
        output.WriteLine("   " + await newProcessor.Ask<string>(new Job(6), TimeSpan.FromSeconds(5)));
        output.WriteLine("   and the ledger, in another subtree, never noticed:");
        output.WriteLine("   " + await ledger.Ask<string>(new Job(7), TimeSpan.FromSeconds(5)));

        Say(output, "6. Stop the tree: children stop in reverse start order, supervisors after their children.");
        var outcome = await tree.StopAsync();
        await Settle();
        output.WriteLine($"   The tree stopped: {outcome.Reason}. Every failure stayed inside the subtree that owned it.");
        await system.Terminate();
        return 0;
    }

    private static void Say(TextWriter output, string line)
    {
        output.WriteLine();
        output.WriteLine(line);
    }

    private static async Task<IActorRef> ChildAsync(SupervisorHandle supervisor, string id) =>
        (await supervisor.WhichChildrenAsync()).Single(c => c.Id == id).Child!;

    // Lets the event printer catch up so the narration and the events read in order.
    private static Task Settle() => Task.Delay(TimeSpan.FromMilliseconds(150));
}
