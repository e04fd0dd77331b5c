using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Supervise.Cluster.Tests.Docs;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests;

/// <summary>A cluster node made by Akka.Hosting and Akka.Cluster.Hosting, with Supervise on it: a supervised singleton answers through Supervise's serializer.</summary>
public sealed class AkkaHostingClusterTests
{
    [Fact]
    public async Task The_cluster_guides_node_made_with_Akka_Cluster_Hosting_and_WithSuperviseCluster_runs_its_supervised_singleton()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        ClusterGuideExamples.AddClusterNode(builder.Services, "127.0.0.1", port, ["127.0.0.1"]);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var up = new TaskCompletionSource();
            AkkaCluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
            await up.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var orders = host.Services.GetRequiredService<ActorRegistry>().Get<ClusterGuideExamples.Orders>();

            Assert.StartsWith("taken 1 on 127.0.0.1", await orders.Ask<string>("1", TimeSpan.FromSeconds(20)), StringComparison.Ordinal);
            Assert.IsType<SuperviseClusterSerializer>(system.Serialization.FindSerializerForType(typeof(EntityEnvelope)));
        }
        finally
        {
            await host.StopAsync();
        }
    }

}
