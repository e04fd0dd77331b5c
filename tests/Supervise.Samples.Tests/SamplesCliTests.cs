using System.Text.Json;
using Supervise.Samples.Cli;
using Xunit;

namespace Supervise.Samples.Tests;

/// <summary>The samples executable, run headless (plain log lines) as a user would run it.</summary>
[Collection(SampleRuns.Name)]
public sealed class SamplesCliTests
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await SamplesCli.RunAsync(args, output, error, interactive: false).WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A failed run's output, its violations and outcome first (CI keeps a message's start), then the whole of it.</summary>
    private static string Why(string text)
    {
        var lines = text.Split('\n');
        var verdict = lines.Where(l => l.StartsWith("kind=violation", StringComparison.Ordinal) || l.StartsWith("kind=outcome", StringComparison.Ordinal) || l.StartsWith("kind=seed", StringComparison.Ordinal)).ToList();
        return (verdict.Count > 0 ? string.Join('\n', verdict) : "no outcome printed; its last lines:\n" + string.Join('\n', lines.TakeLast(10))) + "\nthe whole run:\n" + text;
    }

    /// <summary>
    /// Runs the typical run of <paramref name="sample"/>'s page (with <paramref name="extra"/> arguments), and holds
    /// the page to what it printed: each line the page shows has a printed line of the same shape (numbers aside),
    /// and each node the page draws is in the tree the run drew, with the criticality the page gives it.
    /// </summary>
    private static async Task<string> RunDocumentedAsync(string sample, params string[] extra)
    {
        var page = SamplePage.Of(sample);
        Assert.True(page.Args is [var first, ..] && (first == sample || (sample == "tour" && first == "--no-live")), $"{page.Path}: expected its typical run to run {sample}, received '{string.Join(' ', page.Args)}'");
        var (exit, text, _) = await RunAsync([.. page.Args, .. extra]);
        Assert.True(exit == 0, Why(text));

        var printed = text.Split('\n').Select(SamplePage.Shape).ToHashSet(StringComparer.Ordinal);
        foreach (var line in page.Printed)
        {
            Assert.True(printed.Contains(SamplePage.Shape(line)), $"{page.Path} shows a line this run printed nothing like (numbers aside):\n{line}\nThe run ({string.Join(' ', page.Args)}) printed:\n{text}");
        }

        var drawn = text.Split('\n').Where(l => l.Contains(" kind=tree ", StringComparison.Ordinal)).ToList();
        foreach (var node in page.Tree)
        {
            var line = drawn.FirstOrDefault(l => l.Contains($" kind=tree path={node.Path} ", StringComparison.Ordinal));
            Assert.True(line is not null, $"{page.Path} draws {node.Path}, which is not in the sample's tree:\n{string.Join('\n', drawn)}");
            foreach (var criticality in Enum.GetNames<Criticality>().Where(c => node.Notes.Contains(c, StringComparison.Ordinal)))
            {
                Assert.True(line!.Contains(", " + criticality + "\"", StringComparison.Ordinal), $"{page.Path} says {node.Path} is {criticality}; the sample's tree says: {line}");
            }
        }

        return text;
    }

    [Fact]
    public async Task Without_a_sample_name_the_tour_runs_crashes_heals_escalates_degrades_and_stops_in_order()
    {
        var text = await RunDocumentedAsync("tour"); // its page runs it without a name

        Assert.Contains("kind=start sample=tour", text, StringComparison.Ordinal);
        Assert.Contains("processor handled job 3 (1 since its last start)", text, StringComparison.Ordinal);
        Assert.Contains("kind=gaveup path=shop/payments", text, StringComparison.Ordinal);
        Assert.Contains("kind=restart path=shop/payments detail=\"restart 1 of 3", text, StringComparison.Ordinal);
        Assert.Contains("ledger handled job 7 (2 since its last start)", text, StringComparison.Ordinal);
        Assert.Contains("so it is isolated: Down, and callers get an immediate answer instead of waiting: Unavailable", text, StringComparison.Ordinal);
        Assert.Contains("The tree stopped: Stopped.", text, StringComparison.Ordinal);
        Assert.Contains("kind=outcome invariant_held=true", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telecom_keeps_a_thousand_calls_up_under_random_crashes_and_a_crashing_call_drops_no_other()
    {
        var report = Path.Combine(Path.GetTempPath(), $"telecom-{Guid.NewGuid():N}.json");
        try
        {
            var text = await RunDocumentedAsync("telecom", "--report", report);

            Assert.Contains("kind=outcome invariant_held=true invariant=\"a crashing call drops no other call\"", text, StringComparison.Ordinal);
            Assert.Contains("kind=fault path=switch/calls/", text, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.True(root.GetProperty("InvariantHeld").GetBoolean(), text);
            Assert.Equal(SamplePage.Of("telecom").Args.SkipWhile(a => a != "--seed").ElementAt(1), root.GetProperty("Seed").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(root.GetProperty("Chaos").GetProperty("FaultsByKind").GetProperty("Crash").GetInt32() > 0, text);
            Assert.True(root.GetProperty("Load").GetProperty("Answered").GetInt64() > 10_000, text);
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Fact]
    public async Task Rewards_answers_every_redemption_under_waves_and_faults_and_oversells_nothing()
    {
        var text = await RunDocumentedAsync("rewards");

        Assert.Contains("kind=outcome invariant_held=true invariant=\"every redemption is confirmed or explicitly refused, no perk is oversold, none is lost\"", text, StringComparison.Ordinal);
        Assert.Contains("redemptions: ", text, StringComparison.Ordinal);
        Assert.Contains(", 0 unanswered, 0 not started", text, StringComparison.Ordinal);
        Assert.Contains("lounge-pass 300 of 300", text, StringComparison.Ordinal); // demand outran the scarcest perk: refusals, not overselling
        Assert.Contains("kind=fault path=rewards/", text, StringComparison.Ordinal);
        Assert.Contains("The newsletter reaches everyone (6000 customers)", text, StringComparison.Ordinal); // not "6000 everyone"
        var fallback = System.Text.RegularExpressions.Regex.Match(text, @"popular \(fallback\) (\d+)");
        Assert.True(fallback.Success && long.Parse(fallback.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, "the fallback stand-in never answered: " + fallback.Value);
    }

    [Fact]
    public async Task Trading_deploys_as_an_upgrade_whose_failed_canary_the_supervisor_rolls_back_and_none_trades_without_position_tracking()
    {
        var text = await RunDocumentedAsync("trading"); // seed 4: v2 for gw-04, gw-05, gw-06, ...; gw-06 needs position tracking

        Assert.Contains("kind=outcome invariant_held=true invariant=\"no gateway trades without position tracking\"", text, StringComparison.Ordinal);
        Assert.Contains("kind=finding detail=\"v2 was to go to 6 gateways; it ran on ", text, StringComparison.Ordinal);
        Assert.Contains(" failed, and the supervisor rolled back: ", text, StringComparison.Ordinal);
        Assert.Contains("time from the upgrade's start to the rollback's end: ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("gw-09", text.Split('\n').Where(l => l.Contains("kind=finding detail=\"v2 was to go", StringComparison.Ordinal)).Single(), StringComparison.Ordinal); // past the failed canary: never touched
    }

    [Fact]
    public async Task Trading_without_a_canary_isolates_and_cuts_off_every_gateway_the_bad_configuration_breaks()
    {
        // The page's typical run, the old way (the page's printed lines are the upgrade's: not held to this run).
        var (exit, text, _) = await RunAsync([.. SamplePage.Of("trading").Args, "--no-canary"]); // seed 4
        Assert.True(exit == 0, Why(text));

        Assert.Contains("kind=outcome invariant_held=true invariant=\"no gateway trades without position tracking\"", text, StringComparison.Ordinal);
        Assert.Contains("2 of them need position tracking and failed validation: gw-06, gw-09", text, StringComparison.Ordinal); // seed 4's deployment
        Assert.Contains("time to kill (deployment to disconnect at the exchange): gw-06 ", text, StringComparison.Ordinal);
        Assert.Contains("kind=gaveup path=trading/fleet/gw-09 detail=\"kill switch: disconnected at the exchange\"", text, StringComparison.Ordinal);
        Assert.Contains("kind=restart path=trading/fleet/gw-09 detail=\"kill switch: reconnected\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Web_serves_real_http_load_on_loopback_under_faults_with_only_documented_degraded_replies_and_readiness_that_tells()
    {
        var text = await RunDocumentedAsync("web");

        Assert.Contains("kind=outcome invariant_held=true invariant=\"no 5xx beyond the documented degraded replies, and readiness reflects degradation\"", text, StringComparison.Ordinal);
        Assert.Matches("replies: 200 ×[1-9][0-9]*, 503 degraded ×[0-9]+, other ×0", text);
        Assert.Matches("readiness seen: Healthy ×[0-9]+, Degraded ×[1-9]", text); // pricing backed off, and /health/ready said so
        Assert.Contains("kind=fault path=shop/", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_kills_the_node_of_the_singleton_which_moves_and_loses_no_job()
    {
        var text = await RunDocumentedAsync("cluster");

        Assert.Contains("kind=outcome invariant_held=true invariant=\"the ledger moves off the killed node, and no job is lost\"", text, StringComparison.Ordinal);
        Assert.Contains("kind=fault path=node-a detail=\"NodeDeath\"", text, StringComparison.Ordinal);
        Assert.Contains("the chaos run ended: the journal was replayed; node fault recovery: NodeDeath node-a ", text, StringComparison.Ordinal); // recovered, with its time
        Assert.Contains("kind=health path=cluster/node-a detail=\"Unreachable\"", text, StringComparison.Ordinal);
        Assert.Contains("0 dropped, 1 move(s)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_html_report_draws_a_timeline()
    {
        var report = Path.Combine(Path.GetTempPath(), $"tour-{Guid.NewGuid():N}.html");
        try
        {
            var (exit, text, _) = await RunAsync("tour", "--no-live", "--report", report);

            Assert.True(exit == 0, Why(text));
            var html = await File.ReadAllTextAsync(report);
            Assert.Contains("<svg", html, StringComparison.Ordinal);
            Assert.Contains("shop/payments", html, StringComparison.Ordinal);
            Assert.Contains("Invariant held", html, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Theory]
    [InlineData("--duration", "soon", "--duration: expected a positive duration of at most a day, like 30s, 2m or 500ms (a bare number is seconds), received 'soon'.")]
    [InlineData("--duration", "-3s", "--duration: expected a positive duration")]
    [InlineData("--faults-per-second", "-1", "--faults-per-second: expected 0 (no faults) or a rate from 0.001 to 10000 a second, like 2 or 0.5, received '-1'.")]
    [InlineData("--faults-per-second", "1e8", "--faults-per-second: expected 0 (no faults) or a rate from 0.001 to 10000 a second")]
    [InlineData("--faults-per-second", "1e-7", "received '1e-7'")]
    [InlineData("--faults-per-second", "0,5", "received '0,5'")] // a decimal point, whatever the machine's culture
    [InlineData("--seed", "abc", "--seed: expected a whole number from -2147483648 to 2147483647, received 'abc'.")]
    [InlineData("--seed", "99999999999", "received '99999999999'")]
    [InlineData("--report", "out.txt", "--report: expected a file name ending in .json or .html, received 'out.txt'.")]
    [InlineData("--report", "/no/such/dir/r.json", "does not exist")]
    public async Task Bad_options_are_refused_naming_what_was_wrong_and_what_was_expected(string option, string value, string message)
    {
        var (exit, output, error) = await RunAsync("telecom", "--no-live", option, value);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("kind=start", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_sample_is_refused()
    {
        var (exit, _, error) = await RunAsync("bakery");

        Assert.NotEqual(0, exit);
        Assert.Contains("bakery", error, StringComparison.Ordinal);
    }
}
