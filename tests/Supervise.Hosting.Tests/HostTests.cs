using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Supervise.Hosting.Tests.Support;
using Supervise.Tests.Common;
using Xunit;

namespace Supervise.Hosting.Tests;

/// <summary>Supervise in a real generic host: configuration, ordered start and stop, DI, health checks and metrics.</summary>
public sealed class HostTests
{
    private static SupervisorSpec Orders() => new()
    {
        Children =
        [
            ChildSpec.Worker("payments", Worker.Props),
            ChildSpec.Worker("mailer", Worker.Props) with { Restart = RestartType.Transient },
        ],
    };

    private static IHost Build(Dictionary<string, string?> settings, Action<SuperviseBuilder> configure, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        services?.Invoke(builder.Services);
        builder.Services.AddSupervise(builder.Configuration.GetSection("Supervise"), configure);
        return builder.Build();
    }

    [Fact]
    public async Task A_host_starts_its_trees_in_order_serves_them_from_DI_reports_health_and_metrics_and_stops_them_in_reverse()
    {
        var name = "orders" + Guid.NewGuid().ToString("N")[..6];
        using var host = Build(
            new() { ["Supervise:ActorSystemName"] = "shop", [$"Supervise:Trees:{name}:Intensity"] = "7" },
            b => b.AddTree("catalog", new SupervisorSpec { Children = [ChildSpec.Worker("search", Worker.Props)] }).AddTree(name, Orders()).AddChildAddress($"{name}/payments"));
        using var metrics = new MetricsRecorder(name);

        await host.StartAsync();
        var trees = host.Services.GetRequiredService<SuperviseTrees>();
        Assert.Equal(["catalog", name], trees.Declared);
        Assert.Equal("shop", trees.System.Name);

        // A crash is restarted; the metric counts it, tagged.
        var restarted = trees.System.WhenEventAsync<ChildRestarted>(e => e.SupervisorPath == name);
        var payments = host.Services.GetRequiredKeyedService<ChildAddress>($"{name}/payments");
        Assert.Same(await trees.GetChildAsync($"{name}/payments"), payments);
        payments.Tell("boom");
        await restarted;
        Assert.Equal("pong", await payments.Ask<string>("ping", TimeSpan.FromSeconds(5)));
        await metrics.WhenAsync(() => metrics.Sum("supervise.child.restarts", ("supervise.child", "payments"), ("supervise.strategy", "OneForOne")) == 1);
        Assert.Equal(1, metrics.Sum("supervise.child.crashes", ("supervise.child", "payments")));

        var checks = host.Services.GetRequiredService<HealthCheckService>();
        var ready = await checks.CheckHealthAsync(c => c.Tags.Contains("ready") && c.Name == $"supervise:{name}");
        Assert.Equal(HealthStatus.Healthy, ready.Status);
        Assert.Equal(1, ready.Entries[$"supervise:{name}"].Data[$"{name}/payments:restarts"]);

        // A transient child that exits normally stays down: the tree is Degraded, not dead.
        var degraded = trees.System.WhenEventAsync<HealthChanged>(e => e.SupervisorPath == name && e.ChildId is null && e.Current == HealthState.Degraded);
        (await trees.GetChildAsync($"{name}/mailer")).Tell("stop");
        await degraded;
        ready = await checks.CheckHealthAsync(c => c.Name == $"supervise:{name}");
        Assert.Equal(HealthStatus.Degraded, ready.Status);
        Assert.Equal("Down", ready.Entries[$"supervise:{name}"].Data[$"{name}/mailer"]);
        Assert.Equal(HealthStatus.Healthy, (await checks.CheckHealthAsync(c => c.Name == $"supervise:{name}:live")).Status);
        Assert.Equal([1, 0, 0, 1], metrics.Gauges("supervise.children", ["running", "restarting", "degraded", "down"]));

        // Stopped in reverse: orders, then catalog, then the actor system Supervise created.
        var stops = new StopRecorder(trees.System);
        trees.System.EventStream.Subscribe(stops, typeof(TreeShutdown));
        await host.StopAsync();
        Assert.Equal([name, "catalog"], stops);
        Assert.True(trees.System.WhenTerminated.IsCompleted);
        Assert.Equal(HealthStatus.Unhealthy, (await checks.CheckHealthAsync(c => c.Name == $"supervise:{name}:live")).Status);
    }

    [Fact]
    public async Task Health_checks_take_the_names_tags_and_failure_status_the_app_gives_and_an_undeclared_tree_fails_naming_the_declared()
    {
        var name = "orders" + Guid.NewGuid().ToString("N")[..6];
        using var host = Build(
            [],
            b =>
            {
                b.AddTree(name, Orders());
                b.DefaultHealthChecks = false;
            },
            services => services.AddHealthChecks()
                .AddSupervise(name, "orders-ready", ["ready"])
                .AddSupervise(name, "orders-alive", ["live"], liveness: true)
                .AddSupervise("typo", "typo-ready", ["ready"], failureStatus: HealthStatus.Degraded));
        await host.StartAsync();
        var checks = host.Services.GetRequiredService<HealthCheckService>();

        var report = await checks.CheckHealthAsync();
        Assert.Equal(["orders-alive", "orders-ready", "typo-ready"], report.Entries.Keys.Order()); // no default checks beside them
        Assert.Equal((HealthStatus.Healthy, HealthStatus.Healthy), (report.Entries["orders-ready"].Status, report.Entries["orders-alive"].Status));
        Assert.Equal(["ready"], report.Entries["orders-ready"].Tags);
        Assert.Equal((HealthStatus.Degraded, $"No tree named 'typo' is declared: expected one of {name}."), (report.Entries["typo-ready"].Status, report.Entries["typo-ready"].Description));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_misconfigured_host_does_not_start_and_lists_every_problem()
    {
        using var host = Build(
            new()
            {
                ["Supervise:Trees:orders:Intensity"] = "-1",
                ["Supervise:Trees:orders:CallTimeout"] = "00:00:00",
                ["Supervise:Trees:ghost:Enabled"] = "true",
            },
            b => b
                .AddTree("orders", Orders())
                .AddTree("broken", new SupervisorSpec { Children = [ChildSpec.Worker("a", Worker.Props), ChildSpec.Worker("a", Worker.Props)] }));

        var error = await Assert.ThrowsAsync<SuperviseConfigurationException>(() => host.StartAsync());

        Assert.True(error.Problems.Count == 4, string.Join(Environment.NewLine, error.Problems));
        Assert.Contains("Supervise:Trees:ghost: expected the name of a tree declared in code (orders, broken), received 'ghost'", error.Problems);
        Assert.Contains("Supervise:Trees:orders:Intensity: expected 0 or more restarts, received -1", error.Problems);
        Assert.Contains("Supervise:Trees:orders:CallTimeout: expected a positive time span of at most 49 days, received 00:00:00", error.Problems);
        Assert.Contains(error.Problems, p => p.StartsWith("broken: Children[1].Id: expected an id unique among its siblings", StringComparison.Ordinal));
        Assert.StartsWith("Supervise cannot start: 4 configuration problem(s):", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<SuperviseTrees>()["orders"]); // nothing was started

        // By the conventions: the options' own validation (ValidateOnStart) throws it, an OptionsValidationException whose
        // failures are the problems; reading the options says the same.
        Assert.Equal(error.Problems, Assert.IsAssignableFrom<Microsoft.Extensions.Options.OptionsValidationException>(error).Failures);
        var read = Assert.Throws<SuperviseConfigurationException>(() => host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SuperviseOptions>>().Value);
        Assert.Equal(error.Problems, read.Problems);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_in_configuration_is_named()
    {
        using var host = Build(new() { ["Supervise:Trees:orders:Strategy"] = "OneForSome" }, b => b.AddTree("orders", Orders()));
        using var typo = Build(new() { ["Supervise:Trees:orders:Intensty"] = "4", ["Supervise:Trees:orders:Period"] = "soon" }, b => b.AddTree("orders", Orders()));
        var typos = await Assert.ThrowsAsync<SuperviseConfigurationException>(() => typo.StartAsync());
        Assert.Equal(
            [
                "Supervise:Trees:orders:Intensty: expected one of Enabled, Strategy, Intensity, Period, CallTimeout, received 'Intensty'",
                "Supervise:Trees:orders:Period: expected a time span such as 00:00:05, received 'soon'",
            ],
            typos.Problems);

        var error = await Assert.ThrowsAsync<SuperviseConfigurationException>(() => host.StartAsync());

        Assert.Equal(["Supervise:Trees:orders:Strategy: expected one of OneForOne, OneForAll, RestForOne, received 'OneForSome'"], error.Problems);
    }

    [Fact]
    public async Task Typos_unknown_trees_and_spec_problems_are_listed_together()
    {
        using var host = Build(
            new() { ["Supervise:Trees:ghost:Enabled"] = "true", ["Supervise:Trees:orders:Intensty"] = "4" },
            b => b.AddTree("orders", new SupervisorSpec { Children = [ChildSpec.Worker("a", Worker.Props), ChildSpec.Worker("a", Worker.Props)] }));

        var error = await Assert.ThrowsAsync<SuperviseConfigurationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "Supervise:Trees:orders:Intensty: expected one of Enabled, Strategy, Intensity, Period, CallTimeout, received 'Intensty'",
                "Supervise:Trees:ghost: expected the name of a tree declared in code (orders), received 'ghost'",
                "orders: Children[1].Id: expected an id unique among its siblings, received \"a\", already the id of Children[0]",
            ],
            error.Problems);
    }

    [Fact]
    public async Task A_tree_that_fails_to_start_stops_the_host_after_stopping_what_started()
    {
        using var host = Build(
            new() { ["Supervise:Trees:later:Enabled"] = "false" },
            b => b
                .AddTree("first", Orders())
                .AddTree("broken", new SupervisorSpec { Children = [ChildSpec.Worker("bad", Props.Create(() => new FailsToStart()))] })
                .AddTree("later", Orders()));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("bad", error.Message, StringComparison.Ordinal);
        var trees = host.Services.GetRequiredService<SuperviseTrees>();
        Assert.True(trees["first"].Completion.IsCompleted); // stopped again before the host gave up
        Assert.True(trees.System.WhenTerminated.IsCompleted); // and the actor system Supervise created
        Assert.True(trees.IsDisabled("later"));
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await checks.CheckHealthAsync(c => c.Name.StartsWith("supervise:later", StringComparison.Ordinal))).Status); // disabled is not broken
    }

    [Fact]
    public void Declaring_a_tree_twice_or_with_a_name_that_is_no_actor_name_is_refused_at_once()
    {
        var error = Assert.Throws<ArgumentException>(() => Build([], b => b.AddTree("orders", Orders()).AddTree("orders", Orders())));
        Assert.Contains("A tree named 'orders' is already declared", error.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentException>(() => Build([], b => b.AddTree("$orders", Orders())));
        Assert.Contains("received '$orders'", bad.Message, StringComparison.Ordinal);
        var address = Assert.Throws<ArgumentException>(() => Build([], b => b.AddTree("orders", Orders()).AddChildAddress("billing/payments")));
        Assert.Contains("expected it to start with one of orders/ (declare the tree first), received 'billing/payments'", address.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_Akka_Hosting_the_trees_run_in_its_actor_system()
    {
        using var host = Build([], b => b.AddTree("orders", Orders()), services => services.AddAkka("hosted", (_, _) => { }));

        await host.StartAsync();
        var trees = host.Services.GetRequiredService<SuperviseTrees>();
        Assert.Same(host.Services.GetRequiredService<ActorSystem>(), trees.System);
        Assert.Equal("pong", await (await trees.GetChildAsync("orders/payments")).Ask<string>("ping", TimeSpan.FromSeconds(5)));
        await host.StopAsync();
        Assert.True(trees["orders"].Completion.IsCompleted);
    }

    [Fact]
    public async Task A_tree_that_will_not_stop_does_not_hold_the_host_past_its_shutdown_timeout()
    {
        using var gate = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var spec = new SupervisorSpec { Children = [ChildSpec.Worker("stuck", Props.Create(() => new Blocking(gate, blocked))) with { Shutdown = Shutdown.Infinity }] };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.Services.AddSupervise(b => b.AddTree("stuck", spec));
        using var host = builder.Build();
        await host.StartAsync();
        var trees = host.Services.GetRequiredService<SuperviseTrees>();
        (await trees.GetChildAsync("stuck/stuck")).Tell("block");
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(10)); // in its handler: it cannot stop before the gate opens

        var stopping = host.StopAsync();
        var finished = await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(20))); // a bound on the wait, not a sleep: it returns as soon as the host has stopped

        gate.Set();
        Assert.Same(stopping, finished); // returned at the host's timeout, not when the child let go
    }

    private sealed class FailsToStart : ReceiveActor
    {
        public FailsToStart() => throw new InvalidOperationException("no configuration for bad");
    }

    /// <summary>Records each tree's stop as it is published (synchronously: no mailbox between).</summary>
    private sealed class StopRecorder(ActorSystem system) : MinimalActorRef, IEnumerable<string>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _stops = new();

        public override ActorPath Path { get; } = new RootActorPath(((ExtendedActorSystem)system).Provider.DefaultAddress) / "stop-recorder";

        public override IActorRefProvider Provider { get; } = ((ExtendedActorSystem)system).Provider;

        public IEnumerator<string> GetEnumerator() => _stops.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (message is TreeShutdown stopped)
            {
                _stops.Enqueue(stopped.SupervisorPath);
            }
        }
    }

    private sealed class Blocking : ReceiveActor
    {
        public Blocking(ManualResetEventSlim gate, TaskCompletionSource blocked) => Receive<string>(_ =>
        {
            blocked.TrySetResult();
            gate.Wait();
        });
    }
}
