using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Supervise.Hosting;
using Supervise.Samples.Common;

namespace Supervise.Samples.Web;

/// <summary>
/// An ASP.NET Core minimal API that embeds Supervise through the hosting integration: the API is served by
/// supervised actors, with <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>. The sample drives
/// real HTTP load on loopback with the fault injector on: no 5xx beyond the documented degraded replies, and
/// the readiness endpoint reflects degradation.
/// </summary>
internal sealed class WebSample : ISample
{
    /// <summary>The documented degraded reply's problem type.</summary>
    internal const string DegradedType = "urn:supervise:degraded";

    public string Name => "web";

    public string Summary => "An ASP.NET Core API served by supervised actors, under real HTTP load and faults: only documented degraded replies, and readiness that tells.";

    public TimeSpan DefaultDuration => TimeSpan.FromSeconds(15);

    public double DefaultFaultsPerSecond => 4;

    public async Task<SampleOutcome> RunAsync(SampleRun run)
    {
        await using var app = Build();
        using var metrics = new PrometheusText(SuperviseMetrics.MeterName);
        app.MapGet("/metrics", () => Results.Text(metrics.Scrape(), "text/plain; version=0.0.4"));
        await app.StartAsync(run.Stopping);
        var baseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var trees = app.Services.GetRequiredService<SuperviseTrees>();
        var tree = trees["shop"];
        run.Show(trees.System, tree);
        run.Say($"The shop's API listens on {baseAddress}: GET /api/products/{{id}} (catalog and pricing are supervised actors), /health/live, /health/ready, /metrics.");

        FaultInjector? injector = null;
        if (run.Chaos(new FaultTargets { Include = ["shop/*"] }, new FaultChoice(FaultKind.Crash, 2), new FaultChoice(FaultKind.FailingRestart)) is { } chaos)
        {
            run.Say($"The fault injector crashes the catalog and the pricing, and breaks their restarts ({run.FaultsPerSecond:0.#} a second, seed {run.Seed}); pricing backs off before it restarts, so the shop is Degraded for a while each time.");
            injector = await tree.StartChaosAsync(chaos with { StayBelowIntensity = true });
        }

        using var client = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(10) };
        var statuses = new ConcurrentDictionary<string, int>();
        var readiness = new ConcurrentDictionary<string, int>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(run.Stopping);
        stop.CancelAfter(run.Duration);
        var random = new Random(run.Seed);
        var seeds = Enumerable.Range(0, 16).Select(_ => random.Next()).ToList();
        var load = seeds.Select(seed => LoadAsync(client, new Random(seed), statuses, run.Load, stop.Token)).ToList();
        var ready = WatchReadinessAsync(client, readiness, stop.Token);
        await Task.WhenAll(load.Append(ready));

        var report = injector is null ? null : await injector.StopAsync("the sample's time was up");
        run.Say("Time is up: the faults stop, and the shop recovers.");
        var recovered = await RecoveredAsync(client, TimeSpan.FromSeconds(15));
        var scrape = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        await app.StopAsync();

        var violations = new List<string>();
        var undocumented = statuses.Where(s => s.Key.StartsWith('5') && s.Key != "503 degraded").ToList();
        if (undocumented.Count > 0)
        {
            violations.Add("5xx replies beyond the documented degraded ones: " + string.Join(", ", undocumented.Select(s => $"{s.Key} ×{s.Value}")));
        }

        var pricingFaults = report?.Faults.Count(f => f.Fault.Target == "shop/pricing") ?? 0;
        if (pricingFaults > 0 && readiness.GetValueOrDefault("Degraded") == 0)
        {
            violations.Add($"pricing was struck {pricingFaults} time(s) and backed off, but /health/ready never said Degraded");
        }

        if (!recovered)
        {
            violations.Add("/health/ready did not say Healthy again within 15 s of the faults stopping");
        }

        if (!scrape.Contains("supervise_child_restarts", StringComparison.Ordinal) && report is { Restarts: > 0 })
        {
            violations.Add("/metrics does not show supervise.child.restarts");
        }

        var findings = new List<string>
        {
            Replies(statuses),
            $"readiness seen: Healthy ×{readiness.GetValueOrDefault("Healthy")}, Degraded ×{readiness.GetValueOrDefault("Degraded")}, Unhealthy ×{readiness.GetValueOrDefault("Unhealthy")}"
                + string.Concat(readiness.Where(r => r.Key is not ("Healthy" or "Degraded" or "Unhealthy")).OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $", {r.Key} ×{r.Value}")),
            $"requests: {run.Load.Overall()}",
            $"/metrics: {scrape.Split('\n').Count(l => l.StartsWith("supervise_", StringComparison.Ordinal))} series",
        };
        return new SampleOutcome(violations.Count == 0, "no 5xx beyond the documented degraded replies, and readiness reflects degradation", findings, violations) { Chaos = report };
    }

    /// <summary>The service: the same shape a real one has (see docs/guides/embedding.md).</summary>
    private static WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0"); // loopback, a free port
        builder.Logging.ClearProviders();
        builder.Services.AddSupervise(new ConfigurationBuilder().Build(), supervise => supervise
            .AddTree("shop", new SupervisorSpec
            {
                Intensity = 20,
                Period = TimeSpan.FromSeconds(5),
                Children =
                [
                    // The catalog is needed for every reply: while it restarts, callers are answered Unavailable at once.
                    ChildSpec.Worker("catalog", Props.Create(() => new Catalog())) with { Policies = [Policy.Reject()] },
                    // Prices are optional: while pricing backs off, products are served without one.
                    ChildSpec.Worker("pricing", Props.Create(() => new Pricing())) with
                    {
                        Criticality = Criticality.Optional,
                        Policies = [Policy.Backoff(TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(2)), Policy.Reject()],
                    },
                ],
            })
            .WithAkkaConfig(ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF")));

        var app = builder.Build();
        app.MapGet("/api/products/{id:int}", async (int id, SuperviseTrees trees) =>
        {
            var catalog = await trees.GetChildAsync("shop/catalog");
            object product;
            try
            {
                product = await catalog.Ask<object>(new GetProduct(id), TimeSpan.FromSeconds(1));
            }
            catch (AskTimeoutException)
            {
                // It crashed while handling this request: the request was dropped (and reported), not answered.
                return Degraded("the catalog did not answer in time");
            }

            if (product is not Product found)
            {
                // The documented degraded reply: 503, a problem of type urn:supervise:degraded, and Retry-After.
                return Degraded("the catalog is restarting");
            }

            var pricing = await trees.GetChildAsync("shop/pricing");
            object price;
            try
            {
                price = await pricing.Ask<object>(new GetPrice(id), TimeSpan.FromMilliseconds(300));
            }
            catch (AskTimeoutException)
            {
                price = "no price in time";
            }

            return Results.Ok(new ProductReply(found.Id, found.Name, (price as Price)?.Amount, price is Price ? null : "prices are unavailable for a moment"));
        });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }

    private static IResult Degraded(string why) => Results.Problem(
        detail: why,
        statusCode: StatusCodes.Status503ServiceUnavailable,
        type: DegradedType,
        extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = 1 });

    /// <summary>The replies by kind: always the served and the documented degraded ones (0 when none), then every other kind, each named.</summary>
    private static string Replies(ConcurrentDictionary<string, int> statuses)
    {
        var others = statuses.Where(s => s.Key is not ("200" or "503 degraded")).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        return $"replies: 200 ×{statuses.GetValueOrDefault("200")}, 503 degraded ×{statuses.GetValueOrDefault("503 degraded")}, other ×{others.Sum(s => s.Value)}"
            + (others.Count == 0 ? "" : " (" + string.Join(", ", others.Select(s => $"{s.Key} ×{s.Value}")) + ")");
    }

    private static async Task LoadAsync(HttpClient client, Random random, ConcurrentDictionary<string, int> statuses, LoadMeter meter, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            string status;
            try
            {
                using var response = await client.GetAsync(new Uri($"/api/products/{random.Next(1, 500)}", UriKind.Relative), stop);
                status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    var problem = await response.Content.ReadFromJsonAsync<Problem>(stop);
                    status += problem?.Type == DegradedType ? " degraded" : " other";
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException e)
            {
                status = "no reply: " + e.Message;
            }

            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status == "200")
            {
                meter.Record(Stopwatch.GetElapsedTime(started));
            }
            else
            {
                meter.RecordFailure();
            }
        }
    }

    private static async Task WatchReadinessAsync(HttpClient client, ConcurrentDictionary<string, int> seen, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var text = await client.GetStringAsync(new Uri("/health/ready", UriKind.Relative), stop).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "Unhealthy", TaskScheduler.Default);
                seen.AddOrUpdate(text, 1, (_, n) => n + 1);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<bool> RecoveredAsync(HttpClient client, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (await response.Content.ReadAsStringAsync() == "Healthy")
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private sealed record Problem(string? Type);

    internal sealed record GetProduct(int Id);

    internal sealed record Product(int Id, string Name);

    internal sealed record GetPrice(int Id);

    internal sealed record Price(decimal Amount);

    internal sealed record ProductReply(int Id, string Name, decimal? Price, string? Note);

    private sealed class Catalog : ReceiveActor
    {
        public Catalog() => Receive<GetProduct>(p => Sender.Tell(new Product(p.Id, $"product {p.Id}")));
    }

    private sealed class Pricing : ReceiveActor
    {
        public Pricing() => Receive<GetPrice>(p => Sender.Tell(new Price(1 + (p.Id % 50))));
    }
}
