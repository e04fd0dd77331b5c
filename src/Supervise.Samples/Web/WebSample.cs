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
using OpenTelemetry.Metrics;
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
        app.MapPrometheusScrapingEndpoint(); // /metrics, by OpenTelemetry's Prometheus exporter
        app.MapSuperviseDashboard("/supervise"); // always: read-only, loopback clients only
        await app.StartAsync(run.Stopping);
        var baseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        if (!new Uri(baseAddress).IsLoopback)
        {
            throw new InvalidOperationException($"The web sample must listen on loopback only; it listens on {baseAddress}.");
        }

        var trees = app.Services.GetRequiredService<SuperviseTrees>();
        var tree = trees["shop"];
        run.Show(trees.System, tree);
        run.Say($"The shop's API listens on {baseAddress}: GET /api/products/{{id}} (catalog and pricing are supervised actors), /health/live, /health/ready, /metrics; the dashboard at {baseAddress}/supervise.");

        FaultInjector? injector = null;
        if (run.Chaos(new FaultTargets { Include = ["shop/*"] }, new FaultChoice(FaultKind.Crash, 2), new FaultChoice(FaultKind.FailingRestart)) is { } chaos)
        {
            run.Say($"The fault injector crashes the catalog and the pricing, and breaks their restarts ({run.FaultsPerSecond:0.#} a second, seed {run.Seed}); pricing backs off before it restarts, so the shop is Degraded for a while each time.");
            injector = await tree.StartChaosAsync(chaos with { StayBelowIntensity = true });
        }

        // No proxy: an http_proxy in the environment must not take loopback traffic elsewhere.
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(10) };
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
        // Every request gets a product (200) or the documented degraded reply; anything else (another 5xx, a 4xx, no reply at all) is not.
        var undocumented = statuses.Where(s => s.Key is not ("200" or "503 degraded")).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        if (undocumented.Count > 0)
        {
            violations.Add("replies beyond a product and the documented degraded one: " + string.Join(", ", undocumented.Select(s => $"{s.Key} ×{s.Value}")));
        }

        if (statuses.GetValueOrDefault("200") == 0)
        {
            violations.Add("no request was served a product");
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

        if (report is { Restarts: > 0 } && !(scrape.Contains("# TYPE supervise_child_restarts_total counter", StringComparison.Ordinal) && scrape.Contains("# HELP supervise_child_restarts_total Children restarted", StringComparison.Ordinal)))
        {
            violations.Add("/metrics does not show supervise.child.restarts as a Prometheus counter (supervise_child_restarts_total, with its TYPE and HELP)");
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
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0)); // loopback, a free port, whatever the configuration says
        builder.Logging.ClearProviders();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(SuperviseMetrics.MeterName).AddPrometheusExporter());
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
                    status += await ProblemTypeAsync(response, stop) == DegradedType ? " degraded" : " other";
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
                string text;
                try
                {
                    // Unhealthy comes as a 503 with the word in its body: read the body whatever the status.
                    using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), stop);
                    text = await response.Content.ReadAsStringAsync(stop);
                }
                catch (HttpRequestException e)
                {
                    text = "no reply: " + e.Message; // not the service's answer: counted apart from Unhealthy
                }

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

    /// <summary>The problem type of a reply, or null when its body is not a problem document.</summary>
    private static async Task<string?> ProblemTypeAsync(HttpResponseMessage response, CancellationToken stop)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<Problem>(stop))?.Type;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null; // not JSON at all (another content type)
        }
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
