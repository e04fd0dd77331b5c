namespace Supervise;

/// <summary>
/// One child's circuit breaker, as a state machine (Closed → Open → HalfOpen → Closed, or back to Open). Pure: the
/// caller gives the time, and carries out what a transition asks for (stop the child, set a timer, start the probe).
/// </summary>
internal sealed class BreakerState(CircuitBreakerPolicy policy)
{
    private RestartWindow? _recent;

    public CircuitBreakerPolicy Policy { get; } = policy;

    public CircuitState Circuit { get; private set; }

    /// <summary>Times it opened in a row without closing (the cool-down grows with it).</summary>
    public int Opens { get; private set; }

    /// <summary>
    /// A crash of the child: whether it opens the breaker. The probe's crash does (half-open); otherwise the crash
    /// is counted, and the <see cref="CircuitBreakerPolicy.Failures"/>-th within its window does.
    /// </summary>
    public bool FailureOpens(TimeSpan now)
    {
        if (Circuit == CircuitState.HalfOpen)
        {
            return true;
        }

        _recent ??= new RestartWindow(Policy.Failures - 1, Policy.Window);
        return _recent.Record(now).Exceeded;
    }

    /// <summary>Opens the breaker; returns the cool-down before the probe.</summary>
    public TimeSpan Open()
    {
        _recent = null;
        Opens++;
        Circuit = CircuitState.Open;
        return Policy.CooldownFor(Opens);
    }

    /// <summary>The cool-down is over: the probe starts, and must run <see cref="CircuitBreakerPolicy.ProbeTime"/> without crashing.</summary>
    public bool TryHalfOpen()
    {
        if (Circuit != CircuitState.Open)
        {
            return false;
        }

        Circuit = CircuitState.HalfOpen;
        return true;
    }

    /// <summary>The probe ran its probe time: the breaker closes and the cool-downs start again from the first.</summary>
    public bool TryClose()
    {
        if (Circuit != CircuitState.HalfOpen)
        {
            return false;
        }

        Circuit = CircuitState.Closed;
        Opens = 0;
        return true;
    }

    /// <summary>Started or stopped by hand: the breaker starts afresh.</summary>
    public void Reset()
    {
        Circuit = CircuitState.Closed;
        Opens = 0;
        _recent = null;
    }
}
