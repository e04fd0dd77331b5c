using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Supervise.Hosting.Tests.Docs;

// The service of docs/guides/embedding.md, compiled and run by EmbeddingGuideTests.

public sealed record PriceQuery(string Sku);

public sealed record Price(string Sku, decimal Amount);

/// <summary>Prices a product; a SKU it cannot price is a bug that crashes it (its supervisor restarts it).</summary>
public sealed class Pricing : ReceiveActor
{
    public Pricing()
    {
        Receive<PriceQuery>(q =>
        {
            if (q.Sku == "bad")
            {
                Sender.Tell(new Akka.Actor.Status.Failure(new InvalidOperationException("no price for bad")));
                throw new InvalidOperationException($"no price for {q.Sku}");
            }

            Sender.Tell(new Price(q.Sku, 9.99m));
        });
    }
}

public static class OrdersService
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        // The tree: declared in code, tuned from the "Supervise" section of appsettings.json.
        builder.Services.AddSupervise(builder.Configuration.GetSection("Supervise"), supervise => supervise
            .AddTree("orders", new SupervisorSpec
            {
                Children =
                [
                    ChildSpec.Worker("pricing", Props.Create<Pricing>()),
                ],
            }));

        // Metrics and traces: the Supervise meter and activity source, exported with OpenTelemetry (to the
        // console here; to your backend through OTLP or a Prometheus exporter in production).
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(SuperviseMetrics.MeterName)
                .AddConsoleExporter())
            .WithTracing(tracing => tracing
                .AddSource(SuperviseTracing.SourceName)
                .AddConsoleExporter());

        var app = builder.Build();

        // The API, served by a supervised actor through its stable address.
        app.MapGet("/price/{sku}", async (string sku, SuperviseTrees trees) =>
        {
            var pricing = await trees.GetChildAsync("orders/pricing");
            try
            {
                return Results.Ok(await pricing.Ask<Price>(new PriceQuery(sku), TimeSpan.FromSeconds(2)));
            }
            catch (InvalidOperationException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });

        // Liveness: the trees run. Readiness: they are Running (Degraded still answers 200, Down 503).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

        return app;
    }
}
