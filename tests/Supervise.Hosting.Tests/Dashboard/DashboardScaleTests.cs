using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Supervise.Hosting.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Hosting.Tests.Dashboard;

/// <summary>The dashboard at 10,000 children: what the page fetches stays small, and a search finds any child.</summary>
public sealed class DashboardScaleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_dynamic_supervisor_of_ten_thousand_children_is_one_line_of_counts_and_its_children_are_found_by_search()
    {
        await using var app = await DashboardApp.StartAsync(trees: b => b.AddTree("chat", new SupervisorSpec
        {
            Children = [ChildSpec.ForSupervisor("sessions", new DynamicSupervisorSpec(new ChildTemplate(_ => Worker.Props)) { Intensity = 100 })],
        }));
        var sessions = await app.Services.GetRequiredService<SuperviseTrees>()["chat"].GetSupervisorAsync("sessions");
        var started = await sessions.StartChildrenAsync(Enumerable.Range(0, 10_000).Select(i => (object?)i));
        Assert.All(started, r => Assert.IsType<StartChildResult.Started>(r));
        using var http = DashboardApp.Client(app);

        var watch = Stopwatch.StartNew();
        var trees = await http.GetStringAsync("api/trees");
        var fetched = watch.Elapsed;
        var page = await http.GetStringAsync("");

        // Measured, for docs/guides/dashboard.md: printed, not a timed assertion.
        output.WriteLine($"page {page.Length:N0} bytes; trees with 10,000 children {trees.Length:N0} bytes, fetched in {fetched.TotalMilliseconds:0} ms");
        Assert.True(trees.Length < 2_000, $"expected the collapsed tree under 2,000 bytes, it was {trees.Length}");
        Assert.Contains("\"Running\":10000", trees, StringComparison.Ordinal);
        var ids = (await DashboardApp.JsonAsync(http, "api/search?tree=chat&path=chat/sessions&q=")).EnumerateArray().Select(n => n.GetProperty("id").GetString()).ToList();
        Assert.Equal(50, ids.Count); // at most 50 at a time
        var one = (await DashboardApp.JsonAsync(http, $"api/search?tree=chat&path=chat/sessions&q={Uri.EscapeDataString(ids[7]!)}")).EnumerateArray().First();
        Assert.Equal(("Running", ids[7]), (one.GetProperty("health").GetString(), one.GetProperty("id").GetString()));
        await app.StopAsync();
    }
}
