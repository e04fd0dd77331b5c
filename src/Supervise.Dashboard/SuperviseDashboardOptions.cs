namespace Supervise.Dashboard;

/// <summary>What the dashboard shows, to whom, and what it lets them do. Safe by default: loopback clients only, read-only.</summary>
public sealed class SuperviseDashboardOptions
{
    /// <summary>
    /// The trees to show, read on every request. Default: the trees the host runs (<c>AddSupervise</c> in Supervise.Hosting).
    /// Set it for trees started with <c>ActorSystem.StartTreeAsync</c>.
    /// </summary>
    public Func<IEnumerable<SupervisionTree>>? Trees { get; set; }

    /// <summary>Whether clients other than loopback ones (127.0.0.0/8, ::1) are answered. Default: false.</summary>
    public bool AllowRemoteClients { get; set; }

    /// <summary>
    /// Whether the page may restart, terminate and delete children. Default: false (read-only). Requires
    /// <see cref="AuthorizationPolicy"/>.
    /// </summary>
    public bool EnableOperations { get; set; }

    /// <summary>
    /// Whether the page may start and halt chaos runs (seeded fault injection; <c>StayBelowIntensity</c> on by default).
    /// Default: false. Requires <see cref="AuthorizationPolicy"/>.
    /// </summary>
    public bool EnableChaos { get; set; }

    /// <summary>Whether chaos runs may start in the Production environment. Default: false (refused, with the rule).</summary>
    public bool AllowChaosInProduction { get; set; }

    /// <summary>The authorization policy (registered with <c>AddAuthorization</c>) a request must satisfy to operate on a child or run chaos.</summary>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>A supervisor with more children than this is shown collapsed, as counts by health, with its children searchable. Default: 50.</summary>
    public int CollapseAbove { get; set; } = 50;
}
