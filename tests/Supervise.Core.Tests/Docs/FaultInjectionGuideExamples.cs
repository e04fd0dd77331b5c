using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Supervise.Tests.Docs;

// The code of docs/concepts/fault-injection.md. Each ```csharp block in that page is a verbatim excerpt of
// this file (DocSnippetTests checks it), so the page's examples compile and run as tests.
public sealed class FaultInjectionGuideExamples : IDisposable
{
    private readonly Akka.TestKit.Xunit2.TestKit _kit = new("akka.loglevel = OFF");
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _kit.Dispose();

    public sealed class Worker : ReceiveActor
    {
        public Worker() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public async Task A_chaos_run_in_virtual_time()
    {
        var spec = new SupervisorSpec
        {
            Intensity = 10,
            Children =
            [
                ChildSpec.Worker("cart", Props.Create<Worker>()) with { Tags = ["web"] },
                ChildSpec.Worker("search", Props.Create<Worker>()) with { Tags = ["web"] },
                ChildSpec.Worker("ledger", Props.Create<Worker>()),
            ],
        };
        var tree = await _kit.Sys.StartTreeAsync(spec, new TreeOptions { Name = "shop", TimeProvider = _time });

        var chaos = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 42,
            EnvironmentName = "Development",
            Faults = [new FaultChoice(FaultKind.Crash, Weight: 3), new FaultChoice(FaultKind.Kill)],
            Targets = new FaultTargets { Tags = ["web"] },     // never the ledger
            Schedule = FaultSchedule.Fixed(TimeSpan.FromSeconds(2)),
            StayBelowIntensity = true,
        });

        for (var fault = 1; fault <= 30; fault++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            await chaos.WhenJournaledAsync(fault);   // fault number `fault` was chosen and carried out (or skipped)
        }

        var report = await chaos.StopAsync();
        var text = report.ToText();                  // a summary for people
        var journal = report.Journal.ToJson();       // save it to replay the run: ChaosOptions.Replay

        Assert.Contains("root survived", text);
        Assert.Equal(30, FaultJournal.FromJson(journal).Faults.Count);
        Assert.True(report.RootSurvived);
        Assert.DoesNotContain("shop/ledger", report.FaultsByTarget.Keys);
        Assert.All(report.Faults, f => Assert.Equal(IsolationVerdict.Isolated, f.Verdict));
    }

    [Fact]
    public async Task A_long_run_streams_its_journal()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chaos-{Guid.NewGuid():N}.jsonl");
        try
        {
            var tree = await _kit.Sys.StartTreeAsync(
                new SupervisorSpec { Intensity = 100, Children = [ChildSpec.Worker("cart", Props.Create<Worker>())] },
                new TreeOptions { Name = "shop", TimeProvider = _time });
            await StreamAsync(tree, path);

            var lines = File.ReadAllLines(path);
            Assert.Equal(5, lines.Length);
            Assert.Equal(5, JsonSerializer.Deserialize<FaultRecord>(lines[^1])!.Sequence);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task StreamAsync(SupervisionTree tree, string path)
    {
        using var journal = new StreamWriter(path);       // one JSON record a line
        var options = new ChaosOptions { JournalCapacity = 10_000, JournalSink = record => journal.WriteLine(JsonSerializer.Serialize(record)) };

        var chaos = await tree.StartChaosAsync(options with { Seed = 42, EnvironmentName = "Development", Schedule = FaultSchedule.Fixed(TimeSpan.FromSeconds(2)) });
        for (var fault = 1; fault <= 5; fault++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            await chaos.WhenJournaledAsync(fault);
        }

        await chaos.StopAsync();
    }
}
