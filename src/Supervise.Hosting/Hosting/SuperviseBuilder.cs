using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Supervise.Hosting;

/// <summary>Declares what <see cref="SuperviseServiceCollectionExtensions.AddSupervise(IServiceCollection, Action{SuperviseBuilder})"/> runs: the trees, in start order, and how they are watched.</summary>
public sealed class SuperviseBuilder
{
    private readonly List<TreeDeclaration> _trees = [];

    internal SuperviseBuilder(IServiceCollection services) => Services = services;

    /// <summary>The services being configured.</summary>
    public IServiceCollection Services { get; }

    internal IReadOnlyList<TreeDeclaration> Trees => _trees;

    internal Serilog.ILogger? SerilogTarget { get; private set; }

    internal bool UsesSerilog { get; private set; }

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
        Services.AddHealthChecks()
            .Add(new HealthCheckRegistration($"supervise:{name}", sp => new SupervisionTreeHealthCheck(sp.GetRequiredService<SuperviseTrees>(), name), HealthStatus.Unhealthy, ["supervise", "ready"]))
            .Add(new HealthCheckRegistration($"supervise:{name}:live", sp => new SupervisionTreeHealthCheck(sp.GetRequiredService<SuperviseTrees>(), name, liveness: true), HealthStatus.Unhealthy, ["supervise", "live"]));
        return this;
    }

    /// <summary>
    /// Sends Akka.NET's log events (of the actor system Supervise creates) and Supervise's supervision events
    /// to Serilog: to <paramref name="logger"/>, or to Serilog's static <see cref="Serilog.Log.Logger"/>.
    /// </summary>
    public SuperviseBuilder UseSerilog(Serilog.ILogger? logger = null)
    {
        UsesSerilog = true;
        SerilogTarget = logger;
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
