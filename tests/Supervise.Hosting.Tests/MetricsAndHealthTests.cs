using Akka.Actor;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Supervise.Hosting.Tests.Support;
using Supervise.Tests.Common;
using Xunit;

namespace Supervise.Hosting.Tests;

/// <summary>The metrics and the health check on their own, without a host.</summary>
public sealed class MetricsAndHealthTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("metrics", "akka.loglevel = ERROR");
    private readonly SuperviseMetrics _metrics = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _metrics.Dispose();
        await _system.Terminate();
    }

    private async Task<(SupervisionTree Tree, SuperviseTrees Trees)> StartAsync(string name, SupervisorSpec spec)
    {
        _metrics.Attach(_system);
        _metrics.Strategies.Add(name, spec);
        var tree = await _system.StartTreeAsync(spec, new TreeOptions { Name = name });
        _metrics.Track(tree);
        var trees = new SuperviseTrees([name]);
        trees.Started(_system, tree);
        return (tree, trees);
    }

    [Fact]
    public async Task Injected_faults_escalations_and_lost_messages_are_counted_and_a_tree_that_is_down_is_unhealthy()
    {
        var name = "m" + Guid.NewGuid().ToString("N")[..6];
        using var recorder = new MetricsRecorder(name);
        var inner = new SupervisorSpec { Intensity = 0, Children = [ChildSpec.Worker("cart", Worker.Props)] };
        var (tree, trees) = await StartAsync(name, new SupervisorSpec
        {
            Intensity = 10,
            Children = [ChildSpec.ForSupervisor("web", inner), ChildSpec.Worker("core", Worker.Props) with { Restart = RestartType.Transient, Criticality = Criticality.Critical }],
        });
        var ready = new SupervisionTreeHealthCheck(trees, name);
        Assert.Equal(HealthStatus.Healthy, (await ready.CheckHealthAsync(new HealthCheckContext())).Status);

        // An injected crash on cart: web gives up (intensity 0), which the root counts as web's crash and restarts.
        var chaos = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 1,
            EnvironmentName = "Test",
            Targets = new FaultTargets { Include = [$"{name}/web/cart"] },
            Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(10)),
            MaxFaults = 1,
        });
        await chaos.WhenJournaledAsync(1);
        await recorder.WhenAsync(() => recorder.Sum("supervise.supervisor.escalations", ("supervise.supervisor", $"{name}/web")) == 1);
        await chaos.StopAsync();
        Assert.Equal(1, recorder.Sum("supervise.faults.injected", ("supervise.fault.kind", "crash"), ("supervise.child", "cart")));

        // A critical transient child that exits normally stays down: the root is Down, the tree unhealthy.
        var down = _system.WhenEventAsync<HealthChanged>(e => e.SupervisorPath == name && e.ChildId is null && e.Current == HealthState.Down);
        var core = await tree.GetChildAsync("core");
        core.Tell("stop");
        await down;
        var result = await ready.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal(("Down", "Down"), (result.Data[name], result.Data[$"{name}/core"]));
        Assert.Equal(3, recorder.GaugeValue("supervise.tree.health")); // Down

        // A message to a child that is down is lost, and counted.
        core.Tell("ping");
        await recorder.WhenAsync(() => recorder.Sum("supervise.messages.lost", ("supervise.child", "core")) == 1);
    }
    [Fact]
    public async Task Upgrades_are_counted_by_outcome_and_the_children_they_change_by_child()
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..6];
        using var recorder = new MetricsRecorder(name);
        var spec = new SupervisorSpec { Children = [ChildSpec.Worker("cart", Worker.Props) with { Version = "1" }, ChildSpec.Worker("core", Worker.Props)] };
        var (tree, _) = await StartAsync(name, spec);

        await tree.Root.UpgradeAsync(spec with { Children = [ChildSpec.Worker("cart", Worker.Props) with { Version = "2" }, ChildSpec.Worker("core", Worker.Props)] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });
        await tree.Root.UpgradeAsync(spec with { Children = [ChildSpec.Worker("cart", Worker.Props), ChildSpec.Worker("cart", Worker.Props)] });

        await recorder.WhenAsync(() => recorder.Sum("supervise.upgrades", ("supervise.upgrade.outcome", "refused")) == 1);
        Assert.Equal(1, recorder.Sum("supervise.upgrades", ("supervise.upgrade.outcome", "completed")));
        Assert.Equal((1, 0), (recorder.Sum("supervise.upgrade.children", ("supervise.child", "cart")), recorder.Sum("supervise.upgrade.children", ("supervise.child", "core"))));
    }
}
