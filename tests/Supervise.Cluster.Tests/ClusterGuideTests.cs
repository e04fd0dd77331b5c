using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Supervise.Cluster.Tests.Docs;
using Supervise.Cluster.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests;

/// <summary>The cluster guide's steps, run for real on loopback.</summary>
public sealed class ClusterGuideTests(ITestOutputHelper output)
{
    /// <summary>A port free on every one of <paramref name="hosts"/> (taken, then released).</summary>
    private static int FreePortOn(IReadOnlyList<string> hosts)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var probe = new TcpListener(IPAddress.Parse(hosts[0]), 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            var held = new List<TcpListener> { probe };
            try
            {
                foreach (var host in hosts.Skip(1))
                {
                    var other = new TcpListener(IPAddress.Parse(host), port);
                    other.Start();
                    held.Add(other);
                }

                return port;
            }
            catch (SocketException)
            {
                // taken on another host: try another
            }
            finally
            {
                held.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException($"Expected a port free on {string.Join(", ", hosts)}; found none in 20 tries.");
    }

    [Fact]
    public async Task Three_hosts_on_three_loopback_addresses_join_by_their_seed_list_and_one_orders_singleton_answers_every_host()
    {
        // Three "hosts": 127.0.0.1, .2 and .3 (all loopback on Linux), each with the same port, as three machines would.
        string[] hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
        var port = FreePortOn(hosts);
        var nodes = new List<ActorSystem>();
        try
        {
            foreach (var host in hosts)
            {
                nodes.Add(ClusterGuideExamples.StartHost(host, port, seedHosts: ["127.0.0.1", "127.0.0.2"], FastCluster.Timings));
            }

            await Eventually.WhenAsync(() => nodes.All(n => AkkaCluster.Get(n).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 3), TimeSpan.FromSeconds(60), "three hosts Up");

            var health = await ClusterHealth.GetAsync(nodes[2]);
            Assert.Equal(hosts.Select(h => $"akka.tcp://shop@{h}:{port}").Order(), health.Nodes.Select(n => n.Address).Order());
            Assert.All(health.Nodes, n => Assert.Equal(NodeStatus.Up, n.Status));

            // One instance, on the oldest host (the first seed), answers from every host.
            var orders = nodes.Select(n => n.ActorSelection("/user/supervised-singleton-orders-address")).ToList();
            foreach (var address in orders)
            {
                var reply = await address.Ask<string>("tea", TimeSpan.FromSeconds(30));
                output.WriteLine(reply);
                Assert.Equal("taken tea on 127.0.0.1", reply);
            }
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.Terminate().WaitAsync(TimeSpan.FromSeconds(15))));
        }
    }
}
