using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervise.Hosting;

/// <summary>Supervise's health checks, by ASP.NET Core's conventions: <c>services.AddHealthChecks().AddSupervise("orders", ...)</c>.</summary>
public static class SuperviseHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the tree named <paramref name="tree"/> (<see cref="SupervisionTreeHealthCheck"/>): its readiness
    /// (Running is Healthy, Restarting and Degraded are Degraded, Down or stopped is <paramref name="failureStatus"/>), or
    /// with <paramref name="liveness"/> only whether it runs. A name that no <c>AddTree</c> declares fails the check,
    /// naming the trees declared.
    /// </summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="tree">The tree's name, as declared with <c>AddTree</c>.</param>
    /// <param name="name">The check's name. Default: <c>supervise:TREE</c>, or <c>supervise:TREE:live</c> for liveness.</param>
    /// <param name="tags">Its tags, to select it on an endpoint (for example <c>ready</c> or <c>live</c>). Default: none.</param>
    /// <param name="liveness">Whether it checks only that the tree runs, whatever its health.</param>
    /// <param name="failureStatus">What a tree that is down or stopped reports. Default (null): Unhealthy.</param>
    public static IHealthChecksBuilder AddSupervise(this IHealthChecksBuilder builder, string tree, string? name = null, IEnumerable<string>? tags = null, bool liveness = false, HealthStatus? failureStatus = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(tree);
        return builder.Add(new HealthCheckRegistration(
            name ?? (liveness ? $"supervise:{tree}:live" : $"supervise:{tree}"),
            services => new SupervisionTreeHealthCheck(services.GetRequiredService<SuperviseTrees>(), tree, liveness, failureStatus ?? HealthStatus.Unhealthy),
            failureStatus ?? HealthStatus.Unhealthy,
            tags));
    }
}
