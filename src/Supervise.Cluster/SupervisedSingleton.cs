using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace Supervise.Cluster;

/// <summary>How a supervised singleton is placed and reached.</summary>
public sealed record SingletonOptions
{
    /// <summary>Only nodes with this role host it (and run its manager); any node when null.</summary>
    public string? Role { get; init; }

    /// <summary>
    /// Messages the address holds while no instance runs (the hand-over gap: its node left or was downed and
    /// the next has not started it yet). Past this, the oldest are dropped, and Akka logs each one.
    /// </summary>
    public int BufferSize { get; init; } = 1000;

    /// <summary>The restart intensity of the tree that supervises the child on its node.</summary>
    public int Intensity { get; init; } = SupervisionSpec.DefaultIntensity;

    /// <summary>The restart period of that tree.</summary>
    public TimeSpan Period { get; init; } = SupervisionSpec.DefaultPeriod;
}

/// <summary>
/// A child that runs exactly once in the cluster (on the oldest node, of a role if given), supervised there
/// by a Supervise tree with the child's restart and degradation policies. It moves when its node leaves or
/// is downed; callers hold an address that follows it.
/// </summary>
public static class SupervisedSingleton
{
    /// <summary>
    /// Runs <paramref name="child"/> as a supervised singleton. Call it on every node that may host it or send
    /// to it (the same id everywhere); a node without <see cref="SingletonOptions.Role"/> only sends to it. Returns the address to send to from this node; it finds the instance wherever it
    /// runs, and holds messages while it moves.
    /// </summary>
    public static IActorRef Start(ActorSystem system, ChildSpec child, SingletonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(child);
        options ??= new SingletonOptions();
        var spec = new SupervisorSpec { Intensity = options.Intensity, Period = options.Period, Children = [child] };
        if (spec.Validate(child.Id) is { Count: > 0 } problems)
        {
            throw new SpecValidationException(problems);
        }

        if (options.BufferSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BufferSize, "SingletonOptions.BufferSize: expected 0 or more messages.");
        }

        var manager = "supervised-singleton-" + child.Id;
        var managerSettings = ClusterSingletonManagerSettings.Create(system).WithSingletonName("host");
        var proxySettings = ClusterSingletonProxySettings.Create(system).WithSingletonName("host").WithBufferSize(options.BufferSize);
        if (options.Role is { } role)
        {
            managerSettings = managerSettings.WithRole(role);
            proxySettings = proxySettings.WithRole(role);
        }

        // A node without the role only reaches it: it may not host it, so it runs no manager.
        if (options.Role is null || Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(options.Role))
        {
            system.ActorOf(ClusterSingletonManager.Props(Props.Create(() => new SingletonHost(spec, child.Id)), SingletonHost.HandOver.Instance, managerSettings), manager);
        }

        return system.ActorOf(ClusterSingletonProxy.Props("/user/" + manager, proxySettings), manager + "-address");
    }
}
