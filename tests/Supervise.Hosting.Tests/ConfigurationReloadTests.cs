using Akka.Actor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Supervise.Hosting.Tests.Support;
using Supervise.Tests.Common;
using Xunit;

namespace Supervise.Hosting.Tests;

/// <summary>A tree bound to configuration upgrades itself when the configuration is reloaded; a reload with problems is refused and logged.</summary>
public sealed class ConfigurationReloadTests
{
    [Fact]
    public async Task A_reload_upgrades_the_running_tree_to_the_specs_made_again_and_a_reload_with_problems_leaves_it_as_it_is()
    {
        var name = "orders" + Guid.NewGuid().ToString("N")[..6];
        using var log = new CollectingLogger();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Pricing:Version"] = "1", [$"Supervise:Trees:{name}:Intensity"] = "3" });
        builder.Logging.AddProvider(log);
        builder.Services.AddSupervise(builder.Configuration.GetSection("Supervise"), b => b.WithUpgradeOnReload(new UpgradeOptions { WatchWindow = TimeSpan.FromMilliseconds(100) }).AddTree(name, services => new SupervisorSpec
        {
            // The spec reads its version from configuration: a reload makes it again.
            Children =
            [
                ChildSpec.Worker("pricing", Worker.Props) with { Version = services.GetRequiredService<IConfiguration>()["Pricing:Version"] },
                ChildSpec.Worker("payments", Worker.Props),
            ],
        }));
        using var host = builder.Build();
        await host.StartAsync();
        var trees = host.Services.GetRequiredService<SuperviseTrees>();
        Assert.True(trees.TryGet(name, out var tree));
        var payments = (await tree.Root.WhichChildrenAsync()).Single(c => c.Id == "payments").Child;
        var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();

        var ended = trees.System.WhenEventAsync<UpgradeEnded>(e => e.SupervisorPath == name);
        configuration["Pricing:Version"] = "2";
        configuration[$"Supervise:Trees:{name}:Intensity"] = "5";
        configuration.Reload();

        var completed = Assert.IsType<UpgradeResult.Completed>((await ended).Result);
        Assert.Equal(["replace pricing: 1 → 2"], completed.Plan.Steps.Select(s => s.Describe()));
        Assert.Equal(["Intensity: 3 → 5"], completed.Plan.SupervisorChanges);
        Assert.Equal("2", Assert.IsType<ChildSpecResult.Found>(await tree.Root.GetChildSpecAsync("pricing")).Spec.Version);
        Assert.Equal(payments, (await tree.Root.WhichChildrenAsync()).Single(c => c.Id == "payments").Child);
        var upgraded = await log.WhenAsync(r => r.Id.Id == 1110);
        Assert.Equal(name, upgraded["Tree"]);

        // A reload with a problem: refused with it, logged, and the tree keeps running the last spec.
        configuration[$"Supervise:Trees:{name}:Intensity"] = "-1";
        configuration["Pricing:Version"] = "3";
        configuration.Reload();
        var refused = await log.WhenAsync(r => r.Id.Id == 1109);
        Assert.Equal(LogLevel.Error, refused.Level);
        Assert.Contains($"Supervise:Trees:{name}:Intensity: expected 0 or more restarts, received -1", refused.Message, StringComparison.Ordinal);
        Assert.Equal("2", Assert.IsType<ChildSpecResult.Found>(await tree.Root.GetChildSpecAsync("pricing")).Spec.Version);
        await host.StopAsync();
    }
}
