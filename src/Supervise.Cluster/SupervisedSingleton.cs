using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Event;

namespace Supervise.Cluster;

/// <summary>How a supervised singleton is placed and reached.</summary>
public sealed record SingletonOptions
{
    /// <summary>Only nodes with this role host it (and run its manager); any node when null.</summary>
    public string? Role { get; init; }

    /// <summary>
    /// Messages the address holds while the singleton moves (its node was lost and the next instance has not
    /// answered yet), unless the child's own policy is Reject or Buffer (then that decides). Past this, the
    /// arriving message is dropped, counted and reported as a <see cref="MessageDropped"/> event. Default: 1000.
    /// </summary>
    public int BufferSize { get; init; } = 1000;

    /// <summary>
    /// After the singleton's tree gives up (or cannot start), its host waits this long before it starts the
    /// tree again, doubling with each failure in a row up to <see cref="MaxRestartDelay"/>. Default: 1 second.
    /// </summary>
    public TimeSpan MinRestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the address waits for the singleton's host to confirm a message before it sends it again
    /// (it may then arrive twice); after three sends it is dropped, counted and reported. A message the host has put in
    /// the child's mailbox is not sent again while the host lives, however long the child takes to reach it (it is
    /// confirmed once the child has taken it, and sent again only if its node is lost first). Default: 10 seconds.
    /// </summary>
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between failed trees; a tree that ran longer than this before it failed starts the count again. Default: 30 seconds.</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);

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
    /// to it (the same id everywhere); a node without <see cref="SingletonOptions.Role"/> only sends to it.
    /// Returns the address to send to from this node. It finds the instance wherever it runs, and each
    /// message is confirmed by the instance's node: when that node is lost, what it had not confirmed is
    /// sent again to the next instance (so it may arrive twice), and messages meanwhile are held, or
    /// answered <see cref="Unavailable"/> if the child's policy is Reject.
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

        if (options.ConfirmTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ConfirmTimeout, "SingletonOptions.ConfirmTimeout: expected a positive time.");
        }

        if (options.MinRestartDelay <= TimeSpan.Zero || options.MaxRestartDelay < options.MinRestartDelay)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                $"SingletonOptions: expected 0 < MinRestartDelay <= MaxRestartDelay, received MinRestartDelay {options.MinRestartDelay}, MaxRestartDelay {options.MaxRestartDelay}.");
        }

        SuperviseClusterSerializer.EnsureRegistered(system);
        var manager = "supervised-singleton-" + child.Id;
        var managerSettings = ClusterSingletonManagerSettings.Create(system).WithSingletonName("host");
        // The proxy only carries the address's probes (messages go to the host directly): a small buffer is enough.
        var proxySettings = ClusterSingletonProxySettings.Create(system).WithSingletonName("host").WithBufferSize(100);
        if (options.Role is { } role)
        {
            managerSettings = managerSettings.WithRole(role);
            proxySettings = proxySettings.WithRole(role);
        }

        // Every node keeps the spec (an upgrade called on a node that may not host it is taken and answered null there).
        var entry = SingletonSpecs.For(system).Register(child.Id, spec);

        // A node without the role only reaches it: it may not host it, so it runs no manager.
        if (options.Role is null || Akka.Cluster.Cluster.Get(system).SelfRoles.Contains(options.Role))
        {
            var delays = new RestartDelays(options.MinRestartDelay, options.MaxRestartDelay);
            system.ActorOf(ClusterSingletonManager.Props(Props.Create(() => new SingletonHost(entry, child.Id, delays)), SingletonHost.HandOver.Instance, managerSettings), manager);
        }

        var proxy = system.ActorOf(ClusterSingletonProxy.Props("/user/" + manager, proxySettings), manager + "-proxy");
        var probeInterval = system.Settings.Config.GetTimeSpan("akka.cluster.singleton-proxy.singleton-identification-interval", TimeSpan.FromSeconds(1));
        var gap = GapPolicy.For(child, options.BufferSize);
        return system.ActorOf(Props.Create(() => new SingletonAddress(child.Id, proxy, gap, probeInterval, options.ConfirmTimeout)), manager + "-address");
    }

    /// <summary>
    /// Upgrades the supervised singleton <c>next.Id</c> (started on this node with <see cref="Start"/>) to <paramref name="next"/>,
    /// as <see cref="SupervisorHandle.UpgradeAsync"/> upgrades a child: its replacement watched, and rolled back if it fails.
    /// What it does depends on where the instance runs:
    /// <list type="bullet">
    /// <item>Here: its tree is upgraded, and the result returned; once completed, this node starts <paramref name="next"/> if
    /// the singleton comes back to it. Rolled back, stopped or refused, this node keeps the spec it had.</item>
    /// <item>Elsewhere (or not yet started): nothing runs here to upgrade; this node starts <paramref name="next"/> from now on
    /// if the singleton moves here, and <see langword="null"/> is returned. Call this on every node that may host it (a
    /// rolling deploy of configuration does), the node hosting it last.</item>
    /// </list>
    /// Specs are not sent between nodes (a child's start is code): each node starts what it was given. If the instance
    /// moves while its upgrade runs, the upgrade ends with its tree (the caller gets <see cref="SupervisorUnavailableException"/>)
    /// and the next node starts the spec it was given.
    /// </summary>
    /// <returns>The upgrade's result on the node that hosts the instance; <see langword="null"/> on any other node.</returns>
    public static async Task<UpgradeResult?> UpgradeAsync(ActorSystem system, ChildSpec next, UpgradeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(next);
        var entry = SingletonSpecs.For(system).Find(next.Id)
            ?? throw new ArgumentException($"No supervised singleton '{(next.Id.Length > 100 ? next.Id[..100] + "..." : next.Id)}' was started on this node (SupervisedSingleton.Start): there is nothing to upgrade.", nameof(next));
        options ??= new UpgradeOptions();
        await entry.Upgrading.WaitAsync().ConfigureAwait(false);
        try
        {
            var current = entry.Spec;
            var spec = current with { Children = [next] };
            if (entry.Running is { Completion.IsCompleted: false } tree)
            {
                return await UpgradeRunningAsync(entry, tree, spec, options, null, next.Id, restore: null).ConfigureAwait(false);
            }

            var plan = UpgradePlan.Make(current, spec, next.Id);
            var problems = plan.Problems.Concat(options.Validate()).ToList();
            if (problems.Count > 0)
            {
                return new UpgradeResult.Refused(plan, problems);
            }

            entry.Spec = spec; // not here: started from it if the singleton moves here
            return null;
        }
        finally
        {
            entry.Upgrading.Release();
        }
    }

    /// <summary>Upgrades the tree running the instance on this node; the node's spec becomes <paramref name="spec"/> once it completed.</summary>
    /// <remarks>
    /// <c>restore</c> is the spec this node goes back to if the upgrade does not complete (a catch-up upgrade's); null leaves the
    /// node's spec as it is.
    /// </remarks>
    internal static async Task<UpgradeResult> UpgradeRunningAsync(SingletonSpecs.Entry entry, SupervisionTree tree, SupervisorSpec spec, UpgradeOptions options, ILoggingAdapter? log, string childId, SupervisorSpec? restore)
    {
        var result = await tree.Root.UpgradeAsync(spec, options).ConfigureAwait(false);
        if (result is UpgradeResult.Completed)
        {
            entry.Spec = spec;
        }
        else
        {
            if (restore is not null && ReferenceEquals(entry.Spec, spec))
            {
                entry.Spec = restore; // the version that failed here is not started here again
            }

            log?.Warning("Supervised singleton {0}: its upgrade on this node ended {1}", childId, result);
        }

        return result;
    }

    /// <summary>What the address <paramref name="address"/> (returned by <see cref="Start"/>) has sent, had confirmed, held, rejected and dropped.</summary>
    public static Task<SingletonAddressStats> GetStatsAsync(IActorRef address, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Ask<SingletonAddressStats>(GetSingletonStats.Instance, timeout ?? TimeSpan.FromSeconds(10));
    }
}
