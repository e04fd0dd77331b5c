using System.Text.RegularExpressions;
using Supervise.Samples.Common;
using Xunit;

namespace Supervise.Samples.Tests;

/// <summary>The HTML report's timeline says what happened, in an order a person reads, and says what it leaves out (issue 13).</summary>
public sealed class ReportTimelineTests
{
    private static SampleReport Report(IReadOnlyList<Moment> moments) =>
        new("test", 1, TimeSpan.FromSeconds(10), true, "holds", [], [], new LoadSample(0, 0, 0, 0, 0, 0), 0, null, moments);

    private static IReadOnlyList<string> LaneNames(string html) =>
        Regex.Matches(html, "<text x=\"\\d+\" y=\"\\d+\" text-anchor=\"end\">([^<]+)</text>").Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void Lanes_are_in_path_order_with_numbers_compared_as_numbers()
    {
        var html = ReportWriter.ToHtml(Report(
        [
            new Moment(TimeSpan.FromSeconds(1), MomentKind.Crash, "switch/call-13008", "boom"),
            new Moment(TimeSpan.FromSeconds(2), MomentKind.Crash, "switch/call-1571", "boom"),
            new Moment(TimeSpan.FromSeconds(3), MomentKind.Crash, "switch/call-2", "boom"),
        ]));

        Assert.Equal(["switch/call-2", "switch/call-1571", "switch/call-13008"], LaneNames(html));
    }

    [Fact]
    public void Lanes_left_out_are_counted_on_the_page()
    {
        var html = ReportWriter.ToHtml(Report([.. Enumerable.Range(0, 75).Select(i => new Moment(TimeSpan.FromSeconds(1), MomentKind.Crash, $"s{i}/w", "boom"))]));

        Assert.Equal(60, LaneNames(html).Count);
        Assert.Contains("15 more lanes not drawn (the 60 with the most happening are)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_child_back_to_Running_is_in_the_timeline_so_its_lane_is_not_left_red()
    {
        var timeline = new Timeline();
        var fed = new List<Moment>();
        timeline.Added += fed.Add;
        // The events a crash of a child with a backoff publishes, in order.
        timeline.Observe(new HealthChanged("shop", DateTimeOffset.UtcNow, "pricing", HealthState.Running, HealthState.Restarting));
        timeline.Observe(new HealthChanged("shop", DateTimeOffset.UtcNow, "pricing", HealthState.Restarting, HealthState.Running));
        timeline.Observe(new HealthChanged("shop", DateTimeOffset.UtcNow, "gateway-1", HealthState.Running, HealthState.Down));
        timeline.Observe(new HealthChanged("shop", DateTimeOffset.UtcNow, "gateway-1", HealthState.Down, HealthState.Running));

        Assert.Equal(
            [("shop/pricing", HealthState.Restarting), ("shop/pricing", HealthState.Running), ("shop/gateway-1", HealthState.Down), ("shop/gateway-1", HealthState.Running)],
            timeline.Moments.Select(m => (m.Path, m.Health!.Value)));
        // The feed shows a child going Down and coming back, not every restart's amber (the crash and restart moments say that).
        Assert.Equal(["Running -> Down", "Down -> Running"], fed.Select(m => m.Detail));
    }

    [Fact]
    public void Stops_are_shown_by_when_they_happened_not_by_when_they_were_read()
    {
        var timeline = new Timeline();
        var fed = new List<Moment>();
        timeline.Added += fed.Add;
        var from = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        timeline.Observe(new ChildTerminated("shop/payments", from, "gateway", ExitReason.Shutdown)); // before anyone asked
        timeline.ShowStopsFrom(from.AddTicks(1));
        // An escalation's stop, published before the ask but read after it (a busy recorder), then the tree's own stop.
        timeline.Observe(new ChildTerminated("shop/payments", from, "processor", ExitReason.Shutdown));
        timeline.Observe(new ChildTerminated("shop", from.AddSeconds(1), "ledger", ExitReason.Shutdown));

        Assert.Equal(["shop/ledger"], fed.Select(m => m.Path));
        // All three are kept for the report: a stopped child's lane ends where it stopped.
        Assert.Equal(3, timeline.Moments.Count(m => m.Kind == MomentKind.Stopped));
    }
}

/// <summary>The run's final latency percentiles cover the whole run, as they are labelled, not its last 4,096 answers.</summary>
public sealed class LoadMeterTests
{
    [Fact]
    public void The_overall_percentiles_cover_every_answer_of_the_run()
    {
        var meter = new LoadMeter();
        for (var i = 0; i < 1_000; i++)
        {
            meter.Record(TimeSpan.FromMilliseconds(100)); // a slow start
        }

        for (var i = 0; i < 9_000; i++)
        {
            meter.Record(TimeSpan.FromMilliseconds(1));
        }

        var overall = meter.Overall();
        Assert.Equal(10_000, overall.Answered);
        Assert.InRange(overall.P50Ms, 1, 1.02);
        Assert.InRange(overall.P95Ms, 100, 102); // the last 4,096 answers alone would say 1 ms
        Assert.InRange(overall.P99Ms, 100, 102);
    }
}

/// <summary>The live view draws children in start order, whatever it chose to draw first.</summary>
public sealed class LiveViewOrderTests
{
    private static ChildHealth Child(string id, HealthState state = HealthState.Running, bool supervisor = false) =>
        new(id, state, Criticality.Important, 0, null, supervisor ? ChildKind.Supervisor : ChildKind.Worker, supervisor ? new HealthSnapshot("shop/" + id, state, []) : null);

    [Fact]
    public void Children_are_drawn_in_start_order_not_supervisors_first()
    {
        var snapshot = new HealthSnapshot("shop", HealthState.Running, [Child("db"), Child("payments", supervisor: true), Child("ledger"), Child("mailer", HealthState.Down)]);

        Assert.Equal(["db", "payments", "ledger", "mailer"], LiveView.Shown(snapshot, 12).Select(c => c.Id));
        Assert.Equal(["payments", "mailer"], LiveView.Shown(snapshot, 2).Select(c => c.Id)); // the ones that matter most, still in start order
    }
}

/// <summary>The throughput panel counts what flows: trading's orders; the tour, which measures none, says so instead of zeros.</summary>
public sealed class ThroughputTests
{
    [Fact]
    public void The_exchange_counts_each_accepted_order_and_each_refusal_in_the_load()
    {
        var load = new LoadMeter();
        var book = new Supervise.Samples.Trading.ExchangeBook(load);

        book.Accept(new Supervise.Samples.Trading.Order("gw-1", true, true, System.Diagnostics.Stopwatch.GetTimestamp()));
        book.Refuse();

        Assert.Equal((1, 1), (load.Count, load.Failed));
    }

    [Fact]
    public void A_run_that_measures_no_requests_says_so_instead_of_zeros()
    {
        var layout = LiveView.Layout("tour", "", [], [], new LoadSample(0, 0, 0, 0, 0, 0), 120, 40);
        var text = new StringWriter();
        var recorder = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(text), Ansi = Spectre.Console.AnsiSupport.No });
        recorder.Profile.Width = 120;
        recorder.Write(layout);

        Assert.Contains("no requests measured yet", text.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("0/s", text.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The plain tour shows each health change once, and its last step shows the children stopping in order.</summary>
[Collection(SampleRuns.Name)]
public sealed class TourLinesTests
{
    [Fact]
    public async Task Each_health_change_is_printed_once_and_the_tree_stops_in_reverse_start_order()
    {
        using var output = new StringWriter();
        Assert.Equal(0, await Supervise.Samples.Cli.SamplesCli.RunAsync(["--no-live"], output, TextWriter.Null, interactive: false).WaitAsync(TimeSpan.FromMinutes(2)));
        var lines = output.ToString().Split('\n').Select(l => Regex.Replace(l, @"^t=\S+ ", "")).ToList();

        var health = lines.Where(l => l.StartsWith("kind=health", StringComparison.Ordinal)).ToList();
        var twice = lines.Zip(lines.Skip(1)).Where(p => p.First.StartsWith("kind=health", StringComparison.Ordinal) && p.First == p.Second).Select(p => p.First).ToList();
        Assert.NotEmpty(health);
        Assert.Empty(twice); // a nested supervisor's own change and its parent's view of it were both printed
        var stops = lines.Where(l => l.StartsWith("kind=stopped", StringComparison.Ordinal)).Select(l => Regex.Match(l, "path=(\\S+)").Groups[1].Value).ToList();
        Assert.Equal(["shop/payments/processor", "shop/payments/gateway", "shop/payments", "shop/ledger"], stops);
    }
}

/// <summary>A fast run's timeline spans what happened, with labels that do not repeat.</summary>
public sealed class ReportAxisTests
{
    [Fact]
    public void The_axis_spans_from_the_first_moment_and_its_labels_do_not_repeat()
    {
        var moments = Enumerable.Range(0, 30).Select(i => new Moment(TimeSpan.FromSeconds(5 + (i * 0.01)), MomentKind.Crash, $"shop/w{i % 3}", "boom")).ToList();
        var html = ReportWriter.ToHtml(new SampleReport("tour", 1, TimeSpan.FromSeconds(5.3), true, "holds", [], [], new LoadSample(0, 0, 0, 0, 0, 0), 0, null, moments));

        var labels = Regex.Matches(html, "text-anchor=\"middle\">([^<]+)</text>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(11, labels.Count);
        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.Equal("4999 ms", labels[0]); // from the first moment (less a millisecond), not from the run's start
        Assert.Equal("5300 ms", labels[^1]);
    }
}
