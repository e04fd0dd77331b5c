using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Supervise.Dashboard;
using Supervise.Tests.Common;
using Xunit;

namespace Supervise.Hosting.Tests.Dashboard;

/// <summary>Chaos runs from the dashboard: refused unless enabled, authorized and (in Production) allowed; started, watched, halted, journaled.</summary>
public sealed class DashboardChaosTests
{
    private static readonly Action<SuperviseDashboardOptions> Chaos = o => (o.EnableChaos, o.AuthorizationPolicy) = (true, "operators");

    [Fact]
    public void A_request_left_empty_is_a_mild_run_that_stays_below_each_supervisors_intensity()
    {
        var (options, problems) = DashboardChaos.ToOptions(new ChaosRequest(null, null, null, null, null, null, null), "orders", "Development", allowInProduction: false);

        Assert.Empty(problems);
        Assert.Equal(FaultKind.Crash, Assert.Single(options!.Faults).Kind);
        Assert.Equal((TimeSpan.FromSeconds(1), true), (options.Schedule.Interval, options.Schedule.Random));
        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.Equal(["orders/**"], options.Targets.Include);
        Assert.True(options.StayBelowIntensity);
        Assert.Equal("Development", options.EnvironmentName);
    }

    [Fact]
    public void A_bad_request_lists_each_problem_with_what_was_expected()
    {
        var (options, problems) = DashboardChaos.ToOptions(new ChaosRequest(1, 0, ["Crash", "Explode", "3"], null, -1, true, null), "orders", "Development", false);

        Assert.Null(options);
        Assert.Equal(
        [
            "kinds: expected fault kinds among Crash, Kill, Stop, Delay, Hang, Poison, FailingRestart, Drop, received 'Explode'",
            "kinds: expected fault kinds among Crash, Kill, Stop, Delay, Hang, Poison, FailingRestart, Drop, received '3'",
            "intervalMs: expected a mean interval from 1 ms to one hour (3600000), received 0",
            "durationSeconds: expected a duration above 0 and at most a day (86400), received -1",
        ], problems);
    }

    [Fact]
    public async Task Chaos_is_refused_unless_enabled_and_in_Production_unless_allowed_each_with_its_rule()
    {
        await using (var readOnly = await DashboardApp.StartAsync())
        {
            var refused = await DashboardApp.Client(readOnly).PostAsJsonAsync("api/chaos/orders/start", new { });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("runs no chaos: chaos runs need SuperviseDashboardOptions.EnableChaos set to true", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using (var production = await DashboardApp.StartAsync(Chaos, environment: "Production"))
        {
            var refused = await DashboardApp.Client(production).PostAsJsonAsync("api/chaos/orders/start", new { });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("refused in the Production environment unless SuperviseDashboardOptions.AllowChaosInProduction is true", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var unauthorized = await DashboardApp.StartAsync(Chaos, authorized: false);
        var denied = await DashboardApp.Client(unauthorized).PostAsJsonAsync("api/chaos/orders/start", new { });
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("require the authorization policy 'operators'", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_started_from_the_dashboard_is_watched_halted_at_once_and_its_journal_downloaded()
    {
        await using var app = await DashboardApp.StartAsync(Chaos);
        using var http = DashboardApp.Client(app);

        var bad = await http.PostAsJsonAsync("api/chaos/orders/start", new { kinds = new[] { "Explode" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("received 'Explode'", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var system = ((SuperviseTrees)app.Services.GetService(typeof(SuperviseTrees))!).System;
        var firstFault = system.WhenEventAsync<FaultInjected>(f => f.Fault.Skipped is null);
        var started = await http.PostAsJsonAsync("api/chaos/orders/start", new { seed = 7, intervalMs = 20, durationSeconds = 600 });
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var status = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((true, 7), (status.GetProperty("running").GetBoolean(), status.GetProperty("seed").GetInt32()));
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync("api/chaos/orders/start", new { })).StatusCode); // one at a time

        // Halted once its first fault has been carried out.
        await firstFault.WaitAsync(TimeSpan.FromSeconds(30));

        var halted = JsonDocument.Parse(await (await http.PostAsync("api/chaos/orders/halt", null)).Content.ReadAsStringAsync()).RootElement;
        Assert.False(halted.GetProperty("running").GetBoolean());
        Assert.True(halted.GetProperty("faults").GetInt32() >= 1);
        Assert.StartsWith("Chaos run (seed 7)", halted.GetProperty("report").GetString(), StringComparison.Ordinal);
        Assert.Contains("ended: halted from the dashboard", halted.GetProperty("report").GetString(), StringComparison.Ordinal);

        var journal = await http.GetAsync("api/chaos/orders/journal");
        Assert.Equal("chaos-orders-seed-7.json", journal.Content.Headers.ContentDisposition?.FileName);
        var replay = FaultJournal.FromJson(await journal.Content.ReadAsStringAsync());
        Assert.Equal(7, replay.Seed);
        Assert.NotEmpty(replay.Faults);
    }
}
