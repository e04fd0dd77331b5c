namespace Supervise;

/// <summary>
/// How a supervisor's health follows from its children's: a pure function, the same everywhere.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>If any <see cref="Criticality.Critical"/> child is <see cref="HealthState.Down"/>, the supervisor is Down.</item>
/// <item>Otherwise, if any child of any criticality is not <see cref="HealthState.Running"/> (Restarting, Degraded or
/// Down), the supervisor is <see cref="HealthState.Degraded"/>. An Optional child can therefore make it Degraded, never Down.</item>
/// <item>Otherwise it is <see cref="HealthState.Running"/>. A supervisor with no children is Running.</item>
/// </list>
/// A supervisor's own state comes first: one that is itself restarting or stopped is Restarting or Down
/// whatever its children are; <see cref="Combine"/> applies that.
/// </remarks>
public static class HealthRule
{
    /// <summary>The health the children give their supervisor.</summary>
    public static HealthState Derive(IEnumerable<(Criticality Criticality, HealthState State)> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        var degraded = false;
        foreach (var (criticality, state) in children)
        {
            if (state == HealthState.Down && criticality == Criticality.Critical)
            {
                return HealthState.Down;
            }

            degraded |= state != HealthState.Running;
        }

        return degraded ? HealthState.Degraded : HealthState.Running;
    }

    /// <summary>A supervisor's health: its own state if that is not Running, else what its children give it.</summary>
    public static HealthState Combine(HealthState own, HealthState fromChildren) =>
        own == HealthState.Running ? fromChildren : own;
}
