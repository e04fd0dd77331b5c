using System.Diagnostics;
using Akka.Actor;
using Supervise.Samples.Common;

namespace Supervise.Samples.Rewards;

/// <summary>
/// A bank's rewards site on release day. Perks are released at a fixed time and the newsletter goes out in
/// tiers (employees, then VIP customers, then everyone), so requests arrive in waves. Each redemption runs
/// as a child of a dynamic supervisor; recommendations are Optional and fall back to a stand-in when they
/// fail; the fault injector runs throughout. Every redemption is confirmed or explicitly refused, no perk is
/// oversold, and none is lost.
/// </summary>
internal sealed class RewardsSample : ISample
{
    /// <summary>The perks and how many of each there are.</summary>
    internal static readonly IReadOnlyDictionary<string, int> Stock = new Dictionary<string, int>
    {
        ["lounge-pass"] = 300,
        ["cinema-duo"] = 1200,
        ["coffee-month"] = 4000,
    };

    /// <summary>The newsletter's tiers: who, how many, and when (as a share of the run) it reaches them.</summary>
    internal static readonly IReadOnlyList<(string Tier, int Customers, double At)> Waves =
    [
        ("employees", 400, 0.05),
        ("VIP customers", 2500, 0.30),
        ("everyone", 6000, 0.55),
    ];

    /// <summary>One child per redemption: a redemption that crashes starts over; one that finishes is done.</summary>
    private static readonly DynamicSupervisorSpec Redemptions = new(new ChildTemplate(args => Props.Create(() => new Redemption((RedeemRequest)args!))) { Restart = RestartType.Transient })
    {
        Intensity = 10_000,
        Period = TimeSpan.FromSeconds(1),
    };

    public string Name => "rewards";

    public string Summary => "A rewards site hit by waves of redemptions; the fault injector strikes throughout, and no perk is oversold or lost.";

    public TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    public double DefaultFaultsPerSecond => 15;

    public async Task<SampleOutcome> RunAsync(SampleRun run)
    {
        using var system = ActorSystem.Create("rewards", "akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        var store = new PerkStore(Stock);
        var spec = new SupervisorSpec
        {
            Intensity = 50,
            Period = TimeSpan.FromSeconds(5),
            Children =
            [
                // The stock lives in a store, not in the actor: a restarted inventory forgets nothing.
                ChildSpec.Worker("inventory", Props.Create(() => new Inventory(store))) with
                {
                    Criticality = Criticality.Critical,
                    Policies = [Policy.Buffer(20_000)], // requests wait while it restarts, replayed in order
                },
                ChildSpec.Worker("recommendations", Props.Create(() => new Recommendations("personal"))) with
                {
                    Criticality = Criticality.Optional,
                    // Two crashes within 5 s open its circuit for a second: the stand-in answers meanwhile, with popular perks.
                    Policies = [Policy.CircuitBreaker(2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), Policy.Fallback(Props.Create(() => new Recommendations("popular")))],
                },
                ChildSpec.ForSupervisor("redemptions", Redemptions),
            ],
        };

        run.Say("The rewards site starts: inventory (its stock in a store; Buffer while it restarts), recommendations (Optional; two crashes within 5 s open its circuit for a second, and a fallback stand-in answers meanwhile), redemptions (a dynamic supervisor: one child per redemption).");
        var tree = await system.StartTreeAsync(spec, new TreeOptions { Name = "rewards" });
        run.Show(system, tree);
        var redemptions = await tree.GetSupervisorAsync("redemptions");
        var inventory = await tree.GetChildAsync("inventory");
        var recommendations = await tree.GetChildAsync("recommendations");
        var answers = new CustomerAnswers();
        var counts = new RecommendationCounts();
        var front = system.ActorOf(Props.Create(() => new Front(answers, run.Load, counts)), "front");

        FaultInjector? injector = null;
        // Mostly redemptions, sometimes the inventory or the recommendations; never past a supervisor's intensity
        // (the site is meant to survive: the invariant is what customers see while it does).
        var targets = new FaultTargets { Include = ["rewards/**"], Rates = [("rewards/inventory", 3), ("rewards/recommendations", 5)] };
        if (run.Chaos(targets, new FaultChoice(FaultKind.Crash, 3), new FaultChoice(FaultKind.Kill), new FaultChoice(FaultKind.FailingRestart, 0.5), new FaultChoice(FaultKind.Hang, 0.5) { Duration = TimeSpan.FromMilliseconds(800) }) is { } chaos)
        {
            run.Say($"The fault injector crashes, kills, hangs and breaks restarts of redemptions, the inventory and the recommendations, {run.FaultsPerSecond:0.#} a second on average (seed {run.Seed}), staying below each supervisor's intensity.");
            injector = await tree.StartChaosAsync(chaos with { StayBelowIntensity = true });
        }

        // The waves: each tier's customers redeem a perk each, spread over a tenth of the run.
        var random = new Random(run.Seed);
        var sent = 0;
        var clock = Stopwatch.StartNew();
        foreach (var (tier, customers, at) in Waves)
        {
            await run.UntilAsync(clock, run.Duration * at);
            run.Say(tier == "everyone"
                ? $"The newsletter reaches everyone ({customers} customers): redemptions arrive as a wave."
                : $"The newsletter reaches {customers} {tier}: redemptions arrive as a wave.");
            var spread = run.Duration * 0.1;
            for (var i = 0; i < customers && !run.Stopping.IsCancellationRequested; i++)
            {
                var perk = Stock.Keys.ElementAt(random.Next(Stock.Count));
                var request = new RedeemRequest(++sent, perk, inventory, recommendations, front, Stopwatch.GetTimestamp());
                answers.Sent(request.Id, perk);
                var id = request.Id;
                // Not awaited (the wave does not wait), but never ignored: a start the supervisor refuses is reported with its reason.
                _ = redemptions.StartChildAsync(request).ContinueWith(
                    t =>
                    {
                        if (!t.IsCompletedSuccessfully || t.Result is not StartChildResult.Started)
                        {
                            answers.NotStarted(id, t.IsCompletedSuccessfully ? t.Result.ToString()! : t.Exception?.GetBaseException().Message ?? "cancelled");
                        }
                    },
                    TaskScheduler.Default);
                if (i % 100 == 99)
                {
                    await run.UntilAsync(clock, (run.Duration * at) + (spread * (i + 1) / customers));
                }
            }
        }

        await run.UntilAsync(clock, run.Duration);
        var report = injector is null ? null : await injector.StopAsync("the sample's time was up");
        run.Say("Time is up: no more faults; every redemption still running finishes.");
        var settled = Stopwatch.StartNew();
        while (!answers.Settled && settled.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        await tree.StopAsync();
        await run.Timeline.FlushAsync(); // what the last stops published is in the timeline before the system ends
        await system.Terminate();
        return Judge(run, store, answers, sent, counts, report);
    }

    private static SampleOutcome Judge(SampleRun run, PerkStore store, CustomerAnswers answers, int sent, RecommendationCounts counts, ChaosReport? report)
    {
        var violations = new List<string>();
        var all = answers.All();
        var confirmed = all.Where(a => a.Answer == RedeemAnswer.Confirmed).Select(a => a.Id).ToHashSet();
        var refused = all.Count(a => a.Answer == RedeemAnswer.SoldOut);
        var notStarted = answers.NotStartedWhy;
        var unanswered = all.Where(a => a.Answer == RedeemAnswer.Waiting && !notStarted.ContainsKey(a.Id)).Select(a => a.Id).ToList();
        if (unanswered.Count > 0)
        {
            violations.Add($"{unanswered.Count} redemption(s) never answered (lost): {string.Join(", ", unanswered.Take(10))}");
        }

        if (notStarted.Count > 0)
        {
            // Refused by the supervisor, not by the shop: the customer was never told, so this is a loss too.
            violations.Add($"{notStarted.Count} redemption(s) not started by the redemptions supervisor: {string.Join("; ", notStarted.OrderBy(n => n.Key).Take(5).Select(n => $"{n.Key}: {n.Value}"))}");
        }

        if (answers.Contradicted is { Count: > 0 } contradicted)
        {
            violations.Add($"{contradicted.Count} customer(s) told one answer and then another: {string.Join(", ", contradicted.Order().Take(10))}");
        }

        foreach (var (perk, stock) in Stock)
        {
            // What customers were told, not what the store holds: a redemption that confirmed without a grant would show here.
            var toldConfirmed = all.Count(a => a.Perk == perk && a.Answer == RedeemAnswer.Confirmed);
            if (toldConfirmed > stock)
            {
                violations.Add($"{perk} oversold: {toldConfirmed} customers told their redemption is confirmed, of {stock} in stock");
            }

            var toldSoldOut = all.Count(a => a.Perk == perk && a.Answer == RedeemAnswer.SoldOut);
            if (toldSoldOut > 0 && store.Sold(perk) < stock)
            {
                violations.Add($"{perk}: {toldSoldOut} customers told it is sold out while {stock - store.Sold(perk)} were left");
            }
        }

        var reserved = store.Reserved();
        var reservedNotConfirmed = reserved.Where(id => !confirmed.Contains(id)).ToList();
        if (reservedNotConfirmed.Count > 0)
        {
            violations.Add($"{reservedNotConfirmed.Count} perk(s) reserved but never confirmed to the customer: {string.Join(", ", reservedNotConfirmed.Take(10))}");
        }

        var confirmedNotReserved = confirmed.Where(id => !reserved.Contains(id)).ToList();
        if (confirmedNotReserved.Count > 0)
        {
            violations.Add($"{confirmedNotReserved.Count} confirmation(s) without a reservation: {string.Join(", ", confirmedNotReserved.Take(10))}");
        }

        var findings = new List<string>
        {
            $"{sent} redemptions: {confirmed.Count} confirmed, {refused} refused (sold out), {unanswered.Count} unanswered, {notStarted.Count} not started",
            "sold: " + string.Join(", ", Stock.Select(s => $"{s.Key} {store.Sold(s.Key)} of {s.Value}")),
            $"recommendations shown: {counts}",
            $"answers: {run.Load.Overall()}",
        };
        return new SampleOutcome(violations.Count == 0, "every redemption is confirmed or explicitly refused, no perk is oversold, none is lost", findings, violations) { Chaos = report };
    }
}
