using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Chaos;

/// <summary>
/// A long chaos run's memory stays flat: the journal and the report's per-fault outcomes keep their first
/// <see cref="ChaosOptions.JournalCapacity"/> records and count the rest; every figure stays exact; a sink gets them all.
/// </summary>
public sealed class JournalCapacityTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_journal_and_the_outcomes_keep_their_capacity_and_count_the_rest_while_the_sink_gets_every_record()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 100, Children = [Worker("a"), Worker("b"), Worker("c")] });
        var streamed = new List<FaultRecord>();
        var injector = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 7,
            EnvironmentName = "Test",
            Schedule = FaultSchedule.Fixed(S),
            MaxConcurrentFaults = 10,
            MaxFaults = 6,
            JournalCapacity = 3,
            JournalSink = streamed.Add,
        });

        for (var i = 0; i < 30 && !injector.Completion.IsCompleted; i++)
        {
            Time.Advance(S);
            await tree.WhenSettledAsync();
        }

        var report = await injector.Completion.WaitAsync(Bound);
        Assert.Equal((6, 3, 3), (report.CarriedOut, report.Faults.Count, report.OutcomesOmitted));
        Assert.Equal(6, report.Recovery.Recovered + report.Recovery.NotRecovered);
        Assert.Equal(6, report.Verdicts.Values.Sum());
        Assert.Equal(report.Journal.Faults, streamed.Take(3));
        Assert.Equal(streamed.Count - 3, report.Journal.Omitted);
        Assert.Equal(Enumerable.Range(1, streamed.Count).Select(i => (long)i), streamed.Select(r => r.Sequence)); // every record, in order
        Assert.Contains("kept: the first 3 outcomes (3 more counted, not kept", report.ToText(), StringComparison.Ordinal);
        Assert.Equal(report.Journal.Omitted, FaultJournal.FromJson(report.Journal.ToJson()).Omitted);
    }

    [Fact]
    public async Task A_sink_that_throws_ends_the_run_and_says_so()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 100, Children = [Worker("a")] });
        var injector = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 7,
            EnvironmentName = "Test",
            Schedule = FaultSchedule.Fixed(S),
            JournalSink = _ => throw new IOException("disk full"),
        });

        Time.Advance(S);
        var report = await injector.Completion.WaitAsync(Bound);

        Assert.Contains("JournalSink threw IOException for fault 1: disk full", report.EndReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_capacity_is_refused_with_what_was_expected()
    {
        var problems = new ChaosOptions { EnvironmentName = "Test", JournalCapacity = -1 }.Validate().Select(p => p.ToString());

        Assert.Equal(["chaos: JournalCapacity: expected 0 or more records, received -1"], problems);
    }
}
