namespace Supervise;

/// <summary>
/// A child's health from its lifecycle (pure): Restarting while it is being started again or waits to be,
/// Down when it is not running (Degraded while a fallback stand-in answers for it), Degraded while its breaker's
/// probe is on probation, a nested supervisor's own health, else Running.
/// </summary>
internal static class ChildHealthRule
{
    public static HealthState Of(in ChildHealthFacts child) =>
        child.Restarting ? HealthState.Restarting
        : !child.Running ? (child.StandIn ? HealthState.Degraded : HealthState.Down)
        : child.Probation ? HealthState.Degraded
        : child.Supervisor ? child.Reported
        : HealthState.Running;
}

/// <summary>What <see cref="ChildHealthRule"/> decides on.</summary>
/// <param name="Restarting">Starting, restarting, or waiting to be restarted (a backoff delay, a failed restart tried again, an exit in line that will restart it).</param>
/// <param name="Running">An incarnation runs and is not being stopped.</param>
/// <param name="StandIn">A fallback stand-in answers for it.</param>
/// <param name="Probation">Its breaker is half-open: the probe runs on probation.</param>
/// <param name="Supervisor">It is a nested Supervise supervisor, whose own health is <paramref name="Reported"/>.</param>
/// <param name="Reported">A nested supervisor's health as it last reported it.</param>
internal readonly record struct ChildHealthFacts(bool Restarting, bool Running, bool StandIn, bool Probation, bool Supervisor, HealthState Reported);
