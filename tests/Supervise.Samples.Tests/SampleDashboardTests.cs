using System.Text.RegularExpressions;
using Supervise.Samples.Cli;
using Xunit;

namespace Supervise.Samples.Tests;

/// <summary><c>--dashboard</c>: a sample serves the dashboard of its trees on 127.0.0.1 while it runs, and prints where.</summary>
[Collection(SampleRuns.Name)]
public sealed partial class SampleDashboardTests
{
    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/supervise")]
    private static partial Regex Address();

    /// <summary>Output that tells when the dashboard's address is printed.</summary>
    private sealed class Watching : StringWriter
    {
        public TaskCompletionSource<string> Printed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.Contains("dashboard", StringComparison.Ordinal) && Address().Match(value) is { Success: true } found)
            {
                Printed.TrySetResult(found.Value);
            }
        }
    }

    [Fact]
    public async Task A_sample_run_with_dashboard_serves_its_trees_live_on_loopback_while_it_runs()
    {
        using var output = new Watching();
        using var error = new StringWriter();
        var running = SamplesCli.RunAsync(["rewards", "--no-live", "--duration", "4s", "--seed", "3", "--dashboard"], output, error, interactive: false);

        var address = await output.Printed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        Assert.Contains("<title>Supervise</title>", await http.GetStringAsync(address), StringComparison.Ordinal);
        Assert.Contains("\"name\":\"rewards\"", await http.GetStringAsync(address + "/api/trees"), StringComparison.Ordinal);

        Assert.Equal(0, await running.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Contains("(until the run ends)", output.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(address)); // the page is gone with the run
    }

    [Theory]
    [InlineData("tour")]
    [InlineData("telecom")]
    [InlineData("trading")]
    public async Task Every_sample_prints_the_dashboards_address_when_asked(string sample)
    {
        using var output = new Watching();
        var args = sample == "tour" ? new[] { "tour", "--no-live", "--dashboard" } : [sample, "--no-live", "--duration", "2s", "--dashboard"];

        Assert.Equal(0, await SamplesCli.RunAsync(args, output, TextWriter.Null, interactive: false).WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.True(output.Printed.Task.IsCompleted, $"{sample} printed no dashboard address:\n{output}");
    }
}

/// <summary>Whole sample runs, one at a time: on two cores, the cluster sample's node death must not wait behind another sample's load.</summary>
[CollectionDefinition(Name)]
public sealed class SampleRuns
{
    public const string Name = "sample runs";
}
