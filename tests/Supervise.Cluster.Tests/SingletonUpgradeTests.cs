using Akka.Actor;
using Supervise.Cluster.Tests.Support;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests;

/// <summary>
/// A supervised singleton's spec upgraded on two nodes on 127.0.0.1: the node that hosts the instance upgrades its tree
/// (replaced, watched, rolled back when it fails); every other node starts the spec it was given if the singleton moves there.
/// </summary>
public sealed class SingletonUpgradeTests
{
    /// <summary>Says its version and its node.</summary>
    private sealed class Versioned : ReceiveActor
    {
        public Versioned(string version) =>
            Receive<string>(m => m == "version", _ => Sender.Tell($"{version} on {AkkaCluster.Get(Context.System).SelfAddress}"));
    }

    private static ChildSpec V(string version) => ChildSpec.Worker("svc", Props.Create(() => new Versioned(version))) with { Version = version };

    [Fact]
    public async Task The_hosting_node_upgrades_the_singleton_and_rolls_a_bad_version_back_and_the_next_node_starts_the_spec_it_was_given()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(2);
        var addresses = cluster.Nodes.Select(n => SupervisedSingleton.Start(n, V("1"))).ToList();
        var timeout = TimeSpan.FromSeconds(20);
        var host = ClusterOfNodes.AddressOf(cluster.Nodes[0]).ToString();
        Assert.Equal($"1 on {host}", await addresses[1].Ask<string>("version", timeout));

        // Not hosted on node 1: nothing runs there to upgrade; it starts v2 if the singleton moves to it.
        Assert.Null(await SupervisedSingleton.UpgradeAsync(cluster.Nodes[1], V("2")));
        Assert.Equal($"1 on {host}", await addresses[1].Ask<string>("version", timeout));

        // On the hosting node: replaced, watched, completed.
        var options = new UpgradeOptions { WatchWindow = TimeSpan.FromMilliseconds(200) };
        Assert.IsType<UpgradeResult.Completed>(await SupervisedSingleton.UpgradeAsync(cluster.Nodes[0], V("2"), options));
        Assert.Equal($"2 on {host}", await addresses[1].Ask<string>("version", timeout));

        // A version that cannot start is rolled back there: the host runs v2 again.
        var broken = ChildSpec.Worker("svc", Props.Create<CannotStart>()) with { Version = "3" };
        var rolledBack = Assert.IsType<UpgradeResult.RolledBack>(await SupervisedSingleton.UpgradeAsync(cluster.Nodes[0], broken, options));
        Assert.Contains("this version cannot start", rolledBack.Failure, StringComparison.Ordinal);
        Assert.Equal($"2 on {host}", await addresses[1].Ask<string>("version", timeout));

        // The host leaves: node 1 takes the singleton over, from the spec it was given (v2).
        await NodeFaults.LeaveAsync(cluster.Nodes[0]).WaitAsync(timeout);
        var next = ClusterOfNodes.AddressOf(cluster.Nodes[1]).ToString();
        Assert.Equal($"2 on {next}", await addresses[1].Ask<string>("version", TimeSpan.FromSeconds(30)));

        // A singleton this node never started: a clear error, nothing changed.
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => SupervisedSingleton.UpgradeAsync(cluster.Nodes[1], ChildSpec.Worker("other", Props.Create<CannotStart>())));
        Assert.Contains("No supervised singleton 'other' was started on this node", unknown.Message, StringComparison.Ordinal);
    }
}
