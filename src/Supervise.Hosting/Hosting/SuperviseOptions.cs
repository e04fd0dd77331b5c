namespace Supervise.Hosting;

/// <summary>
/// Supervise's settings, bound from configuration (the section given to
/// <see cref="SuperviseServiceCollectionExtensions.AddSupervise(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration, Action{SuperviseBuilder})"/>,
/// usually <c>Supervise</c> in appsettings.json) and validated when the host starts.
/// </summary>
public sealed class SuperviseOptions
{
    /// <summary>The name of the actor system Supervise creates when the services have none (Akka.Hosting's, say).</summary>
    public string ActorSystemName { get; set; } = "supervise";

    /// <summary>Settings by tree name; each must name a tree declared in code with <see cref="SuperviseBuilder.AddTree(string, SupervisionSpec, Func{TreeOptions, TreeOptions}?)"/>.</summary>
    public Dictionary<string, TreeSettings> Trees { get; } = new(StringComparer.Ordinal);
}

/// <summary>A tree's settings from configuration: each one given replaces what the tree's spec or options say.</summary>
public sealed class TreeSettings
{
    /// <summary>Whether the host starts the tree (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The root supervisor's strategy (a static supervisor only).</summary>
    public Strategy? Strategy { get; set; }

    /// <summary>The root supervisor's restart intensity: the most restarts within <see cref="Period"/>.</summary>
    public int? Intensity { get; set; }

    /// <summary>The root supervisor's restart period.</summary>
    public TimeSpan? Period { get; set; }

    /// <summary>How long a call to the tree's supervisors may take (<see cref="TreeOptions.CallTimeout"/>).</summary>
    public TimeSpan? CallTimeout { get; set; }
}
