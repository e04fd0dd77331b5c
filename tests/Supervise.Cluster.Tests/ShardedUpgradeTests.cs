using Akka.Actor;
using Supervise.Cluster.Tests.Support;
using Xunit;

namespace Supervise.Cluster.Tests;

/// <summary>A supervised sharded type's spec upgraded on the node that hosts its entities: one at a time, canary first, rolled back.</summary>
public sealed class ShardedUpgradeTests
{
    /// <summary>Says its version.</summary>
    private sealed class Versioned : ReceiveActor
    {
        public Versioned(string version) => Receive<string>(m => m == "version", _ => Sender.Tell(version));
    }

    private static ChildSpec V(string version) => ChildSpec.Worker("svc", Props.Create(() => new Versioned(version))) with { Version = version };

    [Fact]
    public async Task The_hosted_entities_are_upgraded_one_by_one_and_a_version_that_fails_on_the_first_is_rolled_back_for_all()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(1);
        var node = cluster.Nodes[0];
        var region = SupervisedSharding.Start(node, "svcs", V("1"));
        var timeout = TimeSpan.FromSeconds(20);
        async Task<string> VersionOf(string entity) => await region.Ask<string>(new EntityEnvelope(entity, "version"), timeout);
        foreach (var entity in new[] { "e1", "e2", "e3" })
        {
            Assert.Equal("1", await VersionOf(entity));
        }

        var options = new UpgradeOptions { WatchWindow = TimeSpan.FromMilliseconds(100) };
        var upgraded = await SupervisedSharding.UpgradeAsync(node, "svcs", V("2"), options);

        Assert.True(upgraded.Completed, string.Join("; ", upgraded.Entities.Select(e => $"{e.Key}: {e.Value}")));
        Assert.Equal(["e1", "e2", "e3"], upgraded.Entities.Keys);
        Assert.Equal(["2", "2", "2", "2"], [await VersionOf("e1"), await VersionOf("e2"), await VersionOf("e3"), await VersionOf("e4")]); // e4: started from v2

        var broken = ChildSpec.Worker("svc", Props.Create<CannotStart>()) with { Version = "3" };
        var rolledBack = await SupervisedSharding.UpgradeAsync(node, "svcs", broken, options);

        Assert.False(rolledBack.Completed);
        var canary = Assert.Single(rolledBack.Entities); // the first failed: no other entity was touched
        Assert.Equal("e1", canary.Key);
        Assert.IsType<UpgradeResult.RolledBack>(canary.Value);
        Assert.Equal(["2", "2", "2", "2", "2"], [await VersionOf("e1"), await VersionOf("e2"), await VersionOf("e3"), await VersionOf("e4"), await VersionOf("e5")]);

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => SupervisedSharding.UpgradeAsync(node, "other", V("2")));
        Assert.Contains("No supervised sharded type 'other' was started on this node", unknown.Message, StringComparison.Ordinal);
    }
}
