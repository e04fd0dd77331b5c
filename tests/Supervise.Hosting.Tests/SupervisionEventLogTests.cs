using Akka.Actor;
using Serilog;
using Serilog.Events;
using Supervise.Hosting.Tests.Support;
using Xunit;

namespace Supervise.Hosting.Tests;

/// <summary>Supervision events written to Serilog with stable property names and levels.</summary>
public sealed class SupervisionEventLogTests : IAsyncLifetime
{
    private readonly CollectingSink _sink = new();
    private readonly ActorSystem _system = ActorSystem.Create("events", "akka.loglevel = WARNING");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate();

    private async Task<SupervisionTree> StartAsync(SupervisorSpec spec)
    {
        var strategies = new SupervisionStrategies();
        strategies.Add("shop", spec);
        SupervisionEventLog.Start(_system, new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(_sink).CreateLogger(), strategies);
        return await _system.StartTreeAsync(spec, new TreeOptions { Name = "shop" });
    }

    [Fact]
    public async Task A_crash_is_an_error_report_and_the_restart_says_where_it_stands_against_the_intensity()
    {
        var inner = new SupervisorSpec { Strategy = Strategy.RestForOne, Children = [ChildSpec.Worker("cart", Worker.Props)] };
        var tree = await StartAsync(new SupervisorSpec { Intensity = 5, Period = TimeSpan.FromSeconds(10), Children = [ChildSpec.ForSupervisor("web", inner)] });
        var started = await _sink.WhenAsync(e => e.Scalar("EventType") is "ChildStarted" && e.Scalar("ChildId") is "cart");
        Assert.Equal(LogEventLevel.Debug, started.Level);

        (await tree.GetChildAsync("web", "cart")).Tell("boom");

        var crash = await _sink.WhenAsync(e => e.Scalar("EventType") is "ChildCrashed");
        Assert.Equal(LogEventLevel.Error, crash.Level);
        Assert.Equal(("cart", "shop/web", "shop/web/cart", "RestForOne", "boom"), (crash.Scalar("ChildId"), crash.Scalar("Supervisor"), crash.Scalar("Path"), crash.Scalar("Strategy"), crash.Scalar("Reason")));
        Assert.IsType<InvalidOperationException>(crash.Exception);
        var restart = await _sink.WhenAsync(e => e.Scalar("EventType") is "ChildRestarted");
        Assert.Equal(LogEventLevel.Information, restart.Level);
        Assert.Equal((1, 3, TimeSpan.FromSeconds(5)), (restart.Scalar("RestartCount"), restart.Scalar("Intensity"), restart.Scalar("Period")));
    }

    [Fact]
    public async Task A_supervisor_that_gives_up_writes_a_give_up_report_and_health_changes_are_information()
    {
        var inner = new SupervisorSpec { Intensity = 0, Children = [ChildSpec.Worker("cart", Worker.Props)] };
        var tree = await StartAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("web", inner)] });

        (await tree.GetChildAsync("web", "cart")).Tell("boom");

        var gaveUp = await _sink.WhenAsync(e => e.Scalar("EventType") is "SupervisorGaveUp");
        Assert.Equal(LogEventLevel.Error, gaveUp.Level);
        Assert.Equal(("shop/web", "cart", 0, "OneForOne"), (gaveUp.Scalar("Supervisor"), gaveUp.Scalar("ChildId"), gaveUp.Scalar("Intensity"), gaveUp.Scalar("Strategy")));
        var health = await _sink.WhenAsync(e => e.Scalar("EventType") is "HealthChanged" && e.Scalar("PreviousHealth") is not null);
        Assert.Equal(LogEventLevel.Information, health.Level);
        Assert.NotNull(health.Scalar("Health"));
    }

    [Fact]
    public async Task A_supervisors_start_is_a_progress_report_not_a_recovery()
    {
        await StartAsync(new SupervisorSpec { Children = [ChildSpec.Worker("cart", Worker.Props)] });

        var started = await _sink.WhenAsync(e => e.Scalar("EventType") is "HealthChanged" && e.Scalar("Path") is "shop");
        Assert.Equal((LogEventLevel.Debug, "Running", null), (started.Level, started.Scalar("Health")?.ToString(), started.Scalar("PreviousHealth")));
        Assert.StartsWith("Progress report: ", started.MessageTemplate.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_injected_fault_is_a_warning()
    {
        var tree = await StartAsync(new SupervisorSpec { Children = [ChildSpec.Worker("cart", Worker.Props)] });
        var chaos = await tree.StartChaosAsync(new ChaosOptions { Seed = 3, EnvironmentName = "Test", Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(10)) });
        await chaos.WhenJournaledAsync(1);
        await chaos.StopAsync();

        var fault = await _sink.WhenAsync(e => e.Scalar("EventType") is "FaultInjected");
        Assert.Equal(LogEventLevel.Warning, fault.Level);
        Assert.Equal(("Crash", "shop/cart", 1L), (fault.Scalar("FaultKind")?.ToString(), fault.Scalar("Path"), fault.Scalar("FaultSequence")));
    }
}
