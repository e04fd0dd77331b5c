using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervise.Hosting;

/// <summary>Declares what <see cref="SuperviseServiceCollectionExtensions.AddSupervise(IServiceCollection, Action{SuperviseBuilder})"/> runs: the trees, in start order, and how they are watched.</summary>
public sealed class SuperviseBuilder
{
    private readonly List<TreeDeclaration> _trees = [];
    private readonly List<string> _addresses = [];

    internal SuperviseBuilder(IServiceCollection services) => Services = services;

    /// <summary>The services being configured.</summary>
    public IServiceCollection Services { get; }

    internal IReadOnlyList<TreeDeclaration> Trees => _trees;

    internal IReadOnlyList<string> Addresses => _addresses;

    internal Config? AkkaConfig { get; private set; }

    /// <summary>Declares a tree started from <paramref name="spec"/>; trees start in the order declared and stop in reverse.</summary>
    public SuperviseBuilder AddTree(string name, SupervisionSpec spec, Func<TreeOptions, TreeOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return AddTree(name, _ => spec, options);
    }

    /// <summary>Declares a tree whose spec is made from the services (workers can then take dependencies); trees start in the order declared.</summary>
    public SuperviseBuilder AddTree(string name, Func<IServiceProvider, SupervisionSpec> spec, Func<TreeOptions, TreeOptions>? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(spec);
        if (!ActorPath.IsValidPathElement(name))
        {
            throw new ArgumentException($"A tree's name is its root actor's name: expected letters, digits and -_.*$+:@&=,!~';, not starting with '$' or containing '/', received '{name}'.", nameof(name));
        }

        if (_trees.Any(t => t.Name == name))
        {
            throw new ArgumentException($"A tree named '{name}' is already declared: expected a name not among {string.Join(", ", _trees.Select(t => t.Name))}.", nameof(name));
        }

        _trees.Add(new TreeDeclaration(name, spec, options));
        return this;
    }

    /// <summary>How a reload of the configuration upgrades the running trees (see <see cref="WithUpgradeOnReload"/>).</summary>
    internal UpgradeOptions UpgradeOnReload { get; private set; } = new();

    /// <summary>
    /// How a reload of the configuration upgrades the running trees: the canary, watch window, pause, and what a failed step
    /// does (see <see cref="SupervisorHandle.UpgradeAsync"/>). Default: <see cref="UpgradeOptions"/>'s defaults. Only trees bound
    /// to configuration (<c>AddSupervise(configuration, ...)</c>) are upgraded on a reload.
    /// </summary>
    /// <exception cref="ArgumentException">The options are not valid (each problem named).</exception>
    public SuperviseBuilder WithUpgradeOnReload(UpgradeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new ArgumentException($"Upgrade options for a reload: {string.Join("; ", problems)}", nameof(options));
        }

        UpgradeOnReload = options;
        return this;
    }

    /// <summary>
    /// Whether each tree gets two health checks of its own (<c>supervise:NAME</c> tagged <c>supervise</c> and <c>ready</c>,
    /// <c>supervise:NAME:live</c> tagged <c>supervise</c> and <c>live</c>). Default: true. Set it to false to name and tag
    /// them yourself: <c>services.AddHealthChecks().AddSupervise("orders", "orders-ready", ["ready"])</c>.
    /// </summary>
    public bool DefaultHealthChecks { get; set; } = true;

    /// <summary>Registers the default health checks of every declared tree, when <see cref="DefaultHealthChecks"/> asks for them.</summary>
    internal void AddDefaultHealthChecks()
    {
        if (!DefaultHealthChecks)
        {
            return;
        }

        var checks = Services.AddHealthChecks();
        foreach (var tree in _trees)
        {
            checks.AddSupervise(tree.Name, tags: ["supervise", "ready"]).AddSupervise(tree.Name, tags: ["supervise", "live"], liveness: true);
        }
    }

    /// <summary>
    /// Makes the stable address of the child at <paramref name="path"/> (a declared tree's name, then child
    /// ids: <c>"orders/pricing"</c>) a keyed service: <c>[FromKeyedServices("orders/pricing")] ChildAddress pricing</c>.
    /// It is looked up once, when the host starts (a path that names no child fails the start), and stays
    /// valid across the child's restarts.
    /// </summary>
    public SuperviseBuilder AddChildAddress(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var tree = path.Split('/')[0];
        if (!path.Contains('/', StringComparison.Ordinal) || _trees.All(t => t.Name != tree))
        {
            throw new ArgumentException($"A child's path is a declared tree's name and child ids separated by '/': expected it to start with one of {string.Join(", ", _trees.Select(t => t.Name + "/"))} (declare the tree first), received '{path}'.", nameof(path));
        }

        if (!_addresses.Contains(path, StringComparer.Ordinal))
        {
            _addresses.Add(path);
            Services.AddKeyedSingleton(path, (sp, _) => sp.GetRequiredService<SuperviseTrees>().Address(path));
        }

        return this;
    }

    /// <summary>HOCON for the actor system Supervise creates (not used when the services have an actor system already).</summary>
    public SuperviseBuilder WithAkkaConfig(Config config)
    {
        AkkaConfig = config ?? throw new ArgumentNullException(nameof(config));
        return this;
    }

    internal sealed record TreeDeclaration(string Name, Func<IServiceProvider, SupervisionSpec> Spec, Func<TreeOptions, TreeOptions>? Options);
}
