using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Supervise.Hosting.Tests.Docs;

// The service of docs/guides/observability.md, compiled and run by ObservabilityGuideTests.

/// <summary>Answers a SKU with its price; "bad" crashes it.</summary>
public sealed class Prices : ReceiveActor
{
    public Prices() => Receive<string>(sku => Sender.Tell(sku == "bad" ? throw new InvalidOperationException($"no price for {sku}") : 9.99m));
}

public static class ObservedService
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSupervise(supervise => supervise
            .AddTree("orders", new SupervisorSpec { Children = [ChildSpec.Worker("pricing", Props.Create<Prices>())] }));

        // Metrics: scraped by Prometheus from /metrics, and pushed to a collector over OTLP.
        // Traces: a span per crash, over OTLP. Logs: the supervision events, over OTLP beside the console.
        // The collector's address comes from the standard OTEL_EXPORTER_OTLP_ENDPOINT setting.
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(SuperviseMetrics.MeterName)
                .AddPrometheusExporter()
                .AddOtlpExporter())
            .WithTracing(tracing => tracing
                .AddSource(SuperviseTracing.SourceName)
                .AddOtlpExporter())
            .WithLogging(logging => logging.AddOtlpExporter());

        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint();
        app.MapGet("/price/{sku}", async (string sku, SuperviseTrees trees) =>
        {
            var pricing = await trees.GetChildAsync("orders/pricing");
            try
            {
                return Results.Ok(await pricing.Ask<decimal>(sku, TimeSpan.FromSeconds(3)));
            }
            catch (AskTimeoutException)
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }
        });

        return app;
    }
}
