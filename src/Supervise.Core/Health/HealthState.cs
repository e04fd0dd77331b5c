namespace Supervise;

/// <summary>The health of one node of a tree: a child or a supervisor.</summary>
public enum HealthState
{
    /// <summary>Up and doing its job.</summary>
    Running,

    /// <summary>Being restarted: expected back soon.</summary>
    Restarting,

    /// <summary>Up, but giving a reduced service (a child of it is not Running, or it runs a fallback).</summary>
    Degraded,

    /// <summary>Not running and not coming back by itself.</summary>
    Down,
}
