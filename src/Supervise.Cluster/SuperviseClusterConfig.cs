using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;

namespace Supervise.Cluster;

/// <summary>
/// Safe defaults for a Supervise cluster node: remoting bound to 127.0.0.1 unless told otherwise, and the
/// split brain resolver with keep-majority, so a partition is resolved by the larger side.
/// </summary>
public static class SuperviseClusterConfig
{
    /// <summary>
    /// A node's configuration.
    /// </summary>
    /// <param name="port">The port remoting listens on; 0 takes a free one (read it back from the system's address).</param>
    /// <param name="hostname">The address remoting binds to: 127.0.0.1 unless you name the machine's own.</param>
    /// <param name="roles">The node's roles (singletons and sharded types may be placed by role).</param>
    /// <param name="stableAfter">How long the split brain resolver waits for the membership to be stable before it downs the minority (Akka's default is 20 s).</param>
    /// <param name="seedNodes">
    /// Addresses of the nodes a starting node joins, <c>akka.tcp://system@host:port</c>, the same list on
    /// every node (the first seed that lists itself first forms the cluster). Empty: join in code with
    /// <c>Cluster.Get(system).Join</c>.
    /// </param>
    /// <param name="publicHostname">
    /// The name other nodes reach this one by, when it differs from <paramref name="hostname"/> (a node
    /// bound to 0.0.0.0 in a container, or behind a name in DNS). Default: <paramref name="hostname"/>.
    /// </param>
    public static Config Node(
        int port = 0,
        string hostname = "127.0.0.1",
        IEnumerable<string>? roles = null,
        TimeSpan? stableAfter = null,
        IEnumerable<string>? seedNodes = null,
        string? publicHostname = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentException.ThrowIfNullOrWhiteSpace(hostname);
        if (publicHostname is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(publicHostname);
        }

        var seeds = (seedNodes ?? []).ToList();
        foreach (var seed in seeds)
        {
            if (!Akka.Actor.Address.TryParse(seed, out var address) || address.Host is null || address.Port is null)
            {
                throw new ArgumentException($"Each seed node is a node's address: expected akka.tcp://<actor system name>@<host>:<port>, received '{seed}'.", nameof(seedNodes));
            }
        }

        var roleList = string.Join(", ", (roles ?? []).Select(Quote));
        var stable = ((long)(stableAfter ?? TimeSpan.FromSeconds(20)).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hocon = $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp {
              hostname = {{Quote(hostname)}}
              public-hostname = {{Quote(publicHostname ?? hostname)}}
              port = {{port}}
            }
            akka.actor {
              serializers.{{SuperviseClusterSerializer.Name}} = "Supervise.Cluster.SuperviseClusterSerializer, Supervise.Cluster"
              serialization-bindings {
                {{string.Join("\n    ", SuperviseClusterSerializer.Types.Select(t => Quote(t.FullName + ", Supervise.Cluster") + " = " + SuperviseClusterSerializer.Name))}}
              }
            }
            akka.cluster {
              roles = [{{roleList}}]
              seed-nodes = [{{string.Join(", ", seeds.Select(Quote))}}]
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver {
                active-strategy = keep-majority
                stable-after = {{stable}}ms
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon)
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(Akka.Cluster.Sharding.ClusterSharding.DefaultConfig());
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
