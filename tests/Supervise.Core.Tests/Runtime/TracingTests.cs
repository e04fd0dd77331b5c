using System.Diagnostics;
using Akka.Actor;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>
/// Traces through OpenTelemetry's in-memory exporter: a crash is one span with its outcome, a give-up's span is linked
/// from the crash it causes in the parent, and a chaos run is one span with an event per fault. Other tests run at the
/// same time and trace too: only this class's tree (named "traced") is looked at.
/// </summary>
public sealed class TracingTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private const string Tree = "traced";

    [Fact]
    public async Task A_crash_is_a_span_with_its_outcome_and_an_escalation_links_the_parents_crash_to_the_give_up()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(SuperviseTracing.SourceName).AddInMemoryExporter(spans).Build();
        var nested = ChildSpec.ForSupervisor("n", new SupervisorSpec { Intensity = 1, Children = [Worker("x")] });
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 5, Children = [nested] }, new TreeOptions { Name = Tree });
        var n = await tree.GetSupervisorAsync("n");

        (await ChildRef(n, "x")).Tell(new Crash("one"));
        ExpectEvent<ChildRestarted>(e => e.ChildId == "x");
        (await ChildRef(n, "x")).Tell(new Crash("two")); // the second within the period: past n's intensity of 1, n gives up
        ExpectEvent<ChildRestarted>(e => e.ChildId == "n");
        await tree.WhenSettledAsync();

        var crashes = Ours(spans, "supervise.crash");
        Assert.Equal(
            [("traced/n", "x", "restarted"), ("traced/n", "x", "gave up"), ("traced", "n", "restarted")],
            crashes.Select(c => ((string)c.GetTagItem("supervise.supervisor")!, (string)c.GetTagItem("supervise.child")!, (string)c.GetTagItem("supervise.outcome")!)));
        Assert.Equal("one", crashes[0].Events.Single(e => e.Name == "exception").Tags.Single(t => t.Key == "exception.message").Value);
        Assert.Equal(crashes[1].Context, Assert.Single(crashes[2].Links).Context); // the escalation, traced up the tree
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_chaos_run_is_a_span_with_an_event_per_fault()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(SuperviseTracing.SourceName).AddInMemoryExporter(spans).Build();
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 100, Children = [Worker("a"), Worker("b")] }, new TreeOptions { Name = Tree });
        var injector = await tree.StartChaosAsync(new ChaosOptions { Seed = 5, EnvironmentName = "Test", Schedule = FaultSchedule.Fixed(TimeSpan.FromSeconds(1)), MaxFaults = 3 });
        for (var i = 0; i < 10 && !injector.Completion.IsCompleted; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await tree.WhenSettledAsync();
        }

        var report = await injector.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var run = Assert.Single(spans.Where(s => s.OperationName == "supervise.chaos" && Equals(s.GetTagItem("supervise.tree"), Tree)).ToList());
        Assert.Equal((5, 3), ((int)run.GetTagItem("supervise.chaos.seed")!, (int)run.GetTagItem("supervise.chaos.faults")!));
        Assert.Equal(
            report.Journal.Faults.Select(f => (f.Sequence, f.Kind.ToString(), f.Target)),
            run.Events.Select(e => ((long)e.Tags.Single(t => t.Key == "supervise.fault.sequence").Value!, (string)e.Tags.Single(t => t.Key == "supervise.fault.kind").Value!, (string)e.Tags.Single(t => t.Key == "supervise.fault.target").Value!)));
        await tree.StopAsync();
    }

    /// <summary>The spans of this class's tree, in the order they ended.</summary>
    private static List<Activity> Ours(List<Activity> spans, string name)
    {
        lock (spans)
        {
            return spans.Where(s => s.OperationName == name && s.GetTagItem("supervise.supervisor") is string path && (path == Tree || path.StartsWith(Tree + "/", StringComparison.Ordinal))).ToList();
        }
    }
}
