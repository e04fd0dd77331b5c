using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Supervise.Hosting.Tests.Docs;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Hosting.Tests;

/// <summary>
/// The observability guide's service, run on loopback: one crash shows in the Prometheus scrape, and metrics, traces and
/// logs all reach an OTLP receiver (a stand-in for a collector, on 127.0.0.1, that records what it is sent).
/// </summary>
public sealed class ObservabilityGuideTests(ITestOutputHelper output)
{
    [Fact]
    public async Task One_crash_is_scraped_by_Prometheus_and_its_metrics_trace_and_logs_reach_OTLP()
    {
        // What the collector must see, by signal: the crash's restart counter, its span, and its crash report with its fields.
        var expected = new (string Signal, string Text)[]
        {
            ("metrics", "supervise.child.restarts"),
            ("traces", "supervise.crash"),
            ("logs", "Crash report"),
            ("logs", "Tree"),
        };
        var seen = expected.ToDictionary(e => e, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var collector = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]).Build();
        collector.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var text = System.Text.Encoding.UTF8.GetString(body.ToArray()); // protobuf keeps strings as UTF-8
            foreach (var ((name, needle), done) in seen)
            {
                if (name == signal && text.Contains(needle, StringComparison.Ordinal))
                {
                    done.TrySetResult();
                }
            }

            return Results.Ok();
        });
        await collector.StartAsync();
        await using var _ = collector;

        await using var app = ObservedService.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default", "Warning",
            "--OTEL_EXPORTER_OTLP_ENDPOINT", collector.Urls.Single(),
            "--OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
            "--OTEL_METRIC_EXPORT_INTERVAL", "500",
            "--OTEL_BSP_SCHEDULE_DELAY", "200",
            "--OTEL_BLRP_SCHEDULE_DELAY", "200",
        ]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        Assert.Equal("9.99", await http.GetStringAsync("/price/abc"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/price/bad")).StatusCode);

        var scrape = await http.GetStringAsync("/metrics");
        output.WriteLine(scrape);
        Assert.Contains("# TYPE supervise_child_restarts_total counter", scrape, StringComparison.Ordinal);
        Assert.Contains(scrape.Split('\n'), l => l.StartsWith("supervise_child_restarts_total{", StringComparison.Ordinal) && l.Contains("supervise_child=\"pricing\"", StringComparison.Ordinal) && l.Split(' ')[1] == "1");
        foreach (var (what, done) in seen)
        {
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"the collector received {what.Signal} with '{what.Text}'");
        }

        await app.StopAsync();
        await collector.StopAsync();
    }
}
