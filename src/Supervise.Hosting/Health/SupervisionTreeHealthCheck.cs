using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervise.Hosting;

/// <summary>
/// A tree's health for ASP.NET Core health checks. For readiness: Running → Healthy, Restarting and
/// Degraded → Degraded, Down (or stopped, or the host stopping) → Unhealthy, with every node's state in the result's data (by
/// path) and each child's restart count (<c>path:restarts</c>). For liveness: Healthy while the tree runs,
/// whatever its health; Unhealthy once it has stopped.
/// </summary>
public sealed class SupervisionTreeHealthCheck : IHealthCheck
{
    private readonly SuperviseTrees _trees;
    private readonly string _treeName;
    private readonly bool _liveness;
    private readonly HealthStatus _failure;

    /// <summary>
    /// Checks the tree named <paramref name="treeName"/>: its readiness, or with <paramref name="liveness"/> only whether it
    /// runs; a failure reports <paramref name="failureStatus"/>.
    /// </summary>
    public SupervisionTreeHealthCheck(SuperviseTrees trees, string treeName, bool liveness = false, HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        _trees = trees ?? throw new ArgumentNullException(nameof(trees));
        _treeName = treeName ?? throw new ArgumentNullException(nameof(treeName));
        _liveness = liveness;
        _failure = failureStatus;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_trees.IsDisabled(_treeName))
        {
            // Not a failure: the service runs as configured.
            return HealthCheckResult.Healthy($"Tree {_treeName} is disabled in configuration.");
        }

        if (!_trees.Declared.Contains(_treeName, StringComparer.Ordinal))
        {
            return new HealthCheckResult(_failure, _trees.Declared.Count == 0
                ? $"No tree named '{_treeName}' is declared: no tree is (AddTree declares one)."
                : $"No tree named '{_treeName}' is declared: expected one of {string.Join(", ", _trees.Declared)}.");
        }

        if (!_trees.TryGet(_treeName, out var tree))
        {
            return new HealthCheckResult(_failure, $"Tree {_treeName} is not started.");
        }

        if (tree.Completion.IsCompleted)
        {
            var outcome = await tree.Completion.ConfigureAwait(false);
            return new HealthCheckResult(_failure, $"Tree {_treeName} has stopped: {outcome.Reason}.", outcome.Error);
        }

        if (_liveness)
        {
            return HealthCheckResult.Healthy($"Tree {_treeName} is running ({tree.RootHealth}).");
        }

        if (_trees.HostStopping)
        {
            // Not ready from the moment the host begins to stop: load balancers stop sending work before the trees stop.
            return new HealthCheckResult(_failure, $"Tree {_treeName} is about to stop: the host is stopping.");
        }

        HealthSnapshot snapshot;
        try
        {
            snapshot = await tree.GetHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(_failure, $"Tree {_treeName} did not answer: {e.Message}", e);
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (path, state, child) in snapshot.Nodes())
        {
            data[path] = state.ToString();
            if (child is not null)
            {
                data[path + ":restarts"] = child.Restarts;
            }
        }

        var description = $"Tree {_treeName} is {snapshot.State}.";
        return snapshot.State switch
        {
            HealthState.Running => HealthCheckResult.Healthy(description, data),
            HealthState.Down => new HealthCheckResult(_failure, description, null, data),
            _ => HealthCheckResult.Degraded(description, null, data),
        };
    }
}
