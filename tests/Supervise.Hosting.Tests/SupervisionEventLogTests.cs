using Akka.Actor;
using Microsoft.Extensions.Logging;
using Supervise.Hosting.Tests.Support;
using Xunit;

namespace Supervise.Hosting.Tests;

/// <summary>Supervision events written through ILogger with stable event ids, field names and levels.</summary>
public sealed class SupervisionEventLogTests : IAsyncLifetime
{
    private readonly CollectingLogger _log = new();
    private readonly ActorSystem _system = ActorSystem.Create("events", "akka.loglevel = WARNING");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate();

    private async Task<SupervisionTree> StartAsync(SupervisorSpec spec)
    {
        var strategies = new SupervisionStrategies();
        strategies.Add("shop", spec);
        SupervisionEventLog.Start(_system, _log.CreateLogger(SupervisionEventLog.Category), strategies);
        return await _system.StartTreeAsync(spec, new TreeOptions { Name = "shop" });
    }

    [Fact]
    public async Task A_crash_is_an_error_report_and_the_restart_says_where_it_stands_against_the_intensity()
    {
        var inner = new SupervisorSpec { Strategy = Strategy.RestForOne, Children = [ChildSpec.Worker("cart", Worker.Props)] };
        var tree = await StartAsync(new SupervisorSpec { Intensity = 5, Period = TimeSpan.FromSeconds(10), Children = [ChildSpec.ForSupervisor("web", inner)] });
        var started = await _log.WhenAsync(e => e.Id.Name is "ChildStarted" && e["ChildId"] is "cart");
        Assert.Equal((LogLevel.Debug, SupervisionLogEvents.ChildStarted), (started.Level, started.Id.Id));

        (await tree.GetChildAsync("web", "cart")).Tell("boom");

        var crash = await _log.WhenAsync(e => e.Id.Name is "ChildCrashed");
        Assert.Equal((LogLevel.Error, SupervisionLogEvents.ChildCrashed, SupervisionEventLog.Category), (crash.Level, crash.Id.Id, crash.Category));
        Assert.Equal(("shop", "cart", "shop/web", "shop/web/cart", "RestForOne", "boom"), (crash["Tree"], crash["ChildId"], crash["Supervisor"], crash["Path"], crash["Strategy"], crash["Reason"]));
        Assert.Equal("Crash report: child cart of shop/web (RestForOne) crashed: boom", crash.Message);
        Assert.IsType<InvalidOperationException>(crash.Exception);
        var restart = await _log.WhenAsync(e => e.Id.Name is "ChildRestarted");
        Assert.Equal(LogLevel.Information, restart.Level);
        Assert.Equal((1, 3, TimeSpan.FromSeconds(5)), (restart["RestartCount"], restart["Intensity"], restart["Period"]));
    }

    [Fact]
    public async Task A_supervisor_that_gives_up_writes_a_give_up_report_and_health_changes_are_information()
    {
        var inner = new SupervisorSpec { Intensity = 0, Children = [ChildSpec.Worker("cart", Worker.Props)] };
        var tree = await StartAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("web", inner)] });

        (await tree.GetChildAsync("web", "cart")).Tell("boom");

        var gaveUp = await _log.WhenAsync(e => e.Id.Name is "SupervisorGaveUp");
        Assert.Equal((LogLevel.Error, SupervisionLogEvents.SupervisorGaveUp), (gaveUp.Level, gaveUp.Id.Id));
        Assert.Equal(("shop", "shop/web", "cart", 0, "OneForOne"), (gaveUp["Tree"], gaveUp["Supervisor"], gaveUp["ChildId"], gaveUp["Intensity"], gaveUp["Strategy"]));
        Assert.IsType<RestartIntensityExceededException>(gaveUp.Exception);
        var health = await _log.WhenAsync(e => e.Id.Name is "HealthChanged" && e["PreviousHealth"] is not null);
        Assert.Equal(LogLevel.Information, health.Level);
        Assert.NotNull(health["Health"]);
    }

    [Fact]
    public async Task A_supervisors_start_is_a_progress_report_not_a_recovery()
    {
        await StartAsync(new SupervisorSpec { Children = [ChildSpec.Worker("cart", Worker.Props)] });

        var started = await _log.WhenAsync(e => e.Id.Id == SupervisionLogEvents.Started && e["Path"] is "shop");
        Assert.Equal((LogLevel.Debug, "Running"), (started.Level, started["Health"]?.ToString()));
        Assert.StartsWith("Progress report: ", started.Template, StringComparison.Ordinal);
        // A start is not a recovery: no "shop is Running (was ...)" line.
        Assert.DoesNotContain(_log.Records, r => r.Id.Id == SupervisionLogEvents.HealthChanged && r["Path"] is "shop");
    }

    [Fact]
    public async Task An_injected_fault_is_a_warning()
    {
        var tree = await StartAsync(new SupervisorSpec { Children = [ChildSpec.Worker("cart", Worker.Props)] });
        var chaos = await tree.StartChaosAsync(new ChaosOptions { Seed = 3, EnvironmentName = "Test", Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(10)) });
        await chaos.WhenJournaledAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        await chaos.StopAsync();

        var fault = await _log.WhenAsync(e => e.Id.Name is "FaultInjected");
        Assert.Equal((LogLevel.Warning, SupervisionLogEvents.FaultInjected), (fault.Level, fault.Id.Id));
        Assert.Equal(("Crash", "shop/cart", 1L, "shop"), (fault["FaultKind"]?.ToString(), fault["Path"], fault["FaultSequence"], fault["Tree"]));
    }
    [Fact]
    public async Task An_upgrade_is_logged_step_by_step_and_a_rollback_is_a_warning_that_says_what_failed_and_what_was_restored()
    {
        var spec = new SupervisorSpec { Children = [ChildSpec.Worker("cart", Worker.Props) with { Version = "1" }] };
        var tree = await StartAsync(spec);
        var broken = spec with { Children = [ChildSpec.Worker("cart", Props.Create<CannotStart>()) with { Version = "2" }] };

        await tree.Root.UpgradeAsync(broken, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        var started = await _log.WhenAsync(e => e.Id.Name is "UpgradeStarted");
        Assert.Equal((LogLevel.Information, SupervisionLogEvents.UpgradeStarted, 1), (started.Level, started.Id.Id, started["StepCount"]));
        var ended = await _log.WhenAsync(e => e.Id.Name is "UpgradeEnded");
        Assert.Equal((LogLevel.Warning, SupervisionLogEvents.UpgradeEnded, "shop"), (ended.Level, ended.Id.Id, ended["Supervisor"]));
        Assert.StartsWith("Upgrade of shop ended: rolled back after cart: its new spec failed to start", ended.Message);
        Assert.EndsWith("restored: cart", ended.Message);
        var restored = await _log.WhenAsync(e => e.Id.Name is "ChildUpgraded");
        Assert.Equal(("cart", "restored to version 1"), (restored["ChildId"], restored["Change"]));
    }

    private sealed class CannotStart : ReceiveActor
    {
        public CannotStart() => throw new InvalidOperationException("v2 cannot load its catalogue");
    }
}
