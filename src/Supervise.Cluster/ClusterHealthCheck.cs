using Akka.Actor;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervise.Cluster;

/// <summary>
/// The whole cluster's health as an ASP.NET Core health check: Healthy when every node answers and every
/// tree is Running, Degraded when a tree is Restarting or Degraded, Unhealthy when a tree is Down or a node
/// is unreachable or silent. The data has each node's status and each tree's state (by node and tree).
/// Register it with <c>services.AddHealthChecks().Add(new HealthCheckRegistration("supervise:cluster", _ =&gt; new ClusterHealthCheck(system), null, ["ready"]))</c>.
/// </summary>
public sealed class ClusterHealthCheck(ActorSystem system, TimeSpan? timeout = null) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = await ClusterHealth.GetAsync(system, timeout).ConfigureAwait(false);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var node in snapshot.Nodes)
        {
            data[node.Address] = node.Status.ToString();
            foreach (var tree in node.Trees)
            {
                data[$"{node.Address} {tree.Tree}"] = tree.State.ToString();
            }
        }

        var description = $"{snapshot.Nodes.Count} node(s), {snapshot.Nodes.Count(n => n.Status == NodeStatus.Up)} answering; worst tree state {snapshot.Worst}.";
        return snapshot.Worst switch
        {
            HealthState.Running => HealthCheckResult.Healthy(description, data),
            HealthState.Down => HealthCheckResult.Unhealthy(description, null, data),
            _ => HealthCheckResult.Degraded(description, null, data),
        };
    }
}
