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
    /// A node's configuration. <paramref name="port"/> 0 takes a free port (read it back from the system's
    /// address); <paramref name="stableAfter"/> is how long the split brain resolver waits for the membership
    /// to be stable before it downs the minority (Akka's default is 20 s).
    /// </summary>
    public static Config Node(int port = 0, string hostname = "127.0.0.1", IEnumerable<string>? roles = null, TimeSpan? stableAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentException.ThrowIfNullOrWhiteSpace(hostname);
        var roleList = string.Join(", ", (roles ?? []).Select(Quote));
        var stable = ((long)(stableAfter ?? TimeSpan.FromSeconds(20)).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hocon = $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp {
              hostname = {{Quote(hostname)}}
              port = {{port}}
            }
            akka.cluster {
              roles = [{{roleList}}]
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
