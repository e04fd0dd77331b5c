using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenQA.Selenium;
using Supervise.Samples.Cli;
using Supervise.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Samples.Tests;

/// <summary>
/// Each sample's HTML report, drawn by a real browser (headless Chromium), held to the run's events as the run printed them:
/// a lane is Down only while its child was Down, and every time a drawn child went Down its lane shows it (issue 13).
/// </summary>
[Collection(SampleRuns.Name)]
public sealed partial class ReportBrowserTests(ITestOutputHelper output)
{
    /// <summary>The printed times and the drawn ones are both rounded (to 1 ms, and to 1 µs): this much apart is the same instant.</summary>
    private const double Slack = 0.002;

    [Theory]
    [InlineData("tour", "--seed", "1")]
    [InlineData("trading", "--seed", "4", "--duration", "3s")]
    [InlineData("rewards", "--seed", "3", "--duration", "5s")]
    [InlineData("telecom", "--seed", "5", "--duration", "4s")]
    [InlineData("web", "--seed", "2", "--duration", "4s")]
    [InlineData("cluster", "--seed", "1", "--duration", "6s")]
    public async Task The_report_draws_each_lane_Down_exactly_while_the_run_said_its_child_was_Down(string sample, params string[] args)
    {
        var report = Path.Combine(Path.GetTempPath(), $"{sample}-{Guid.NewGuid():N}.html");
        try
        {
            using var printed = new StringWriter();
            var exit = await SamplesCli.RunAsync([sample, "--no-live", .. args, "--report", report], printed, TextWriter.Null, interactive: false).WaitAsync(TimeSpan.FromMinutes(2));
            var lines = printed.ToString();
            Assert.True(exit == 0, lines);
            var (downs, end) = DownIntervals(lines);

            using var browser = Chromium.Start();
            browser.Navigate().GoToUrl(new Uri(report).AbsoluteUri);
            var lanes = JsonSerializer.Deserialize<List<DrawnLane>>((string?)browser.ExecuteScript(
                """
                return JSON.stringify([...document.querySelectorAll('svg g.lane')].map(g => ({
                  path: g.dataset.path,
                  visible: g.getBoundingClientRect().height > 0,
                  bands: [...g.querySelectorAll('rect.band')].map(r => ({ state: r.dataset.state, from: +r.dataset.from, to: +r.dataset.to })),
                })));
                """) ?? "[]")!;
            output.WriteLine($"{sample}: {lanes.Count} lanes ({string.Join(", ", lanes.Select(l => l.Path))}); printed Down: {string.Join(", ", downs.Select(d => $"{d.Key} {string.Join(" ", d.Value.Select(i => $"[{i.From:0.000}, {(i.To == double.MaxValue ? "end" : i.To.ToString("0.000", CultureInfo.InvariantCulture))}]"))}"))}");

            Assert.NotEmpty(lanes);
            if (sample is "tour" or "cluster")
            {
                // Not a check of nothing: these runs take a child (the recommender) or a node Down, and their lanes must say so.
                Assert.True(downs.Count > 0, $"{sample}: expected the run to print a Down; it printed:\n{lines}");
                Assert.Contains(lanes, l => l.Bands.Exists(b => b.State == nameof(HealthState.Down)));
            }
            Assert.All(lanes, l => Assert.True(l.Visible, $"{sample}: the lane of {l.Path} is not drawn"));
            foreach (var lane in lanes.Where(l => !l.Path.EndsWith("/*", StringComparison.Ordinal)))
            {
                var said = downs.GetValueOrDefault(lane.Path, []);
                foreach (var band in lane.Bands.Where(b => b.State == nameof(HealthState.Down)))
                {
                    Assert.True(
                        said.Exists(d => band.From >= d.From - Slack && band.To <= d.To + Slack),
                        $"{sample}: {lane.Path} is drawn Down from {band.From:0.000} s to {band.To:0.000} s; the run said it was Down only at {Show(said)}\n{lines}");
                }

                foreach (var down in said)
                {
                    Assert.True(
                        lane.Bands.Exists(b => b.State == nameof(HealthState.Down) && Math.Abs(b.From - down.From) <= Slack),
                        $"{sample}: the run said {lane.Path} went Down at {down.From:0.000} s; its lane does not show it: {string.Join(", ", lane.Bands.Select(b => $"{b.State} {b.From:0.000}-{b.To:0.000}"))}");
                }
            }

            if (sample == "cluster")
            {
                // The singleton's move is drawn: its lane Restarting from its node's silence until it answers from another.
                var ledger = Assert.Single(lanes, l => l.Path == "cluster/ledger");
                Assert.Equal(["Running", "Restarting", "Running"], ledger.Bands.Select(b => b.State));
            }

            // The narration's time column never wraps (a long step's text beside it included).
            var wrapped = (string?)browser.ExecuteScript(
                """
                return [...document.querySelectorAll('table tr td:first-child')]
                  .filter(td => td.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(td).lineHeight || '16'))
                  .map(td => td.textContent).join(', ');
                """) ?? "";
            Assert.True(wrapped.Length == 0, $"{sample}: the narration's time column wraps at {wrapped}");
            Assert.True(end > 0, lines);
        }
        finally
        {
            File.Delete(report);
        }
    }

    private static string Show(List<(double From, double To)> intervals) =>
        intervals.Count == 0 ? "no time" : string.Join(", ", intervals.Select(i => $"{i.From:0.000} s-{(i.To == double.MaxValue ? "the end" : i.To.ToString("0.000 s", CultureInfo.InvariantCulture))}"));

    /// <summary>
    /// When each child was Down, from the run's printed health lines (<c>t=1.234 kind=health path=p detail="..." health=Down</c>), to
    /// its next health line or the run's end; and the time of the last line.
    /// </summary>
    private static (Dictionary<string, List<(double From, double To)>> Downs, double End) DownIntervals(string printed)
    {
        var downs = new Dictionary<string, List<(double From, double To)>>(StringComparer.Ordinal);
        var since = new Dictionary<string, double>(StringComparer.Ordinal);
        var end = 0.0;
        foreach (Match line in HealthLine().Matches(printed))
        {
            var at = double.Parse(line.Groups["t"].Value, CultureInfo.InvariantCulture);
            end = Math.Max(end, at);
            if (line.Groups["path"].Value is not { Length: > 0 } path)
            {
                continue;
            }

            if (line.Groups["to"].Value == nameof(HealthState.Down))
            {
                since.TryAdd(path, at); // Down again (a node Unreachable after NotAnswering): the same stretch
            }
            else if (since.Remove(path, out var from))
            {
                Add(path, from, at);
            }
        }

        foreach (var (path, from) in since)
        {
            Add(path, from, double.MaxValue);
        }

        return (downs, end);

        void Add(string path, double from, double to)
        {
            if (!downs.TryGetValue(path, out var list))
            {
                downs[path] = list = [];
            }

            list.Add((from, to));
        }
    }

    [GeneratedRegex("""^t=(?<t>[0-9.]+) kind=(?:health path=(?<path>\S+) detail=".*" health=(?<to>\w+)$|\w+)""", RegexOptions.Multiline)]
    private static partial Regex HealthLine();

    private sealed record DrawnBand(
        [property: System.Text.Json.Serialization.JsonPropertyName("state")] string State,
        [property: System.Text.Json.Serialization.JsonPropertyName("from")] double From,
        [property: System.Text.Json.Serialization.JsonPropertyName("to")] double To);

    private sealed record DrawnLane(
        [property: System.Text.Json.Serialization.JsonPropertyName("path")] string Path,
        [property: System.Text.Json.Serialization.JsonPropertyName("visible")] bool Visible,
        [property: System.Text.Json.Serialization.JsonPropertyName("bands")] List<DrawnBand> Bands);
}
