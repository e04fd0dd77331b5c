namespace Supervise;

/// <summary>
/// <see cref="HealthRule.Derive"/> kept incrementally: a supervisor adds each child's health as it is published
/// and removes the one it replaces, and reads the derived health in constant time however many children it has.
/// Property-tested against <see cref="HealthRule.Derive"/>, so the rule that runs is the rule that is tested.
/// </summary>
internal sealed class HealthTally
{
    private readonly int[] _byHealth = new int[4];
    private int _criticalDown;

    /// <summary>Children counted in <paramref name="state"/>.</summary>
    public int this[HealthState state] => _byHealth[(int)state];

    /// <summary>Counts a child's health (<paramref name="sign"/> +1) or stops counting it (-1).</summary>
    public void Count(Criticality criticality, HealthState state, int sign)
    {
        _byHealth[(int)state] += sign;
        if (state == HealthState.Down && criticality == Criticality.Critical)
        {
            _criticalDown += sign;
        }
    }

    /// <summary>What <see cref="HealthRule.Derive"/> gives for the children counted.</summary>
    public HealthState Derived =>
        _criticalDown > 0 ? HealthState.Down
        : _byHealth[(int)HealthState.Restarting] + _byHealth[(int)HealthState.Degraded] + _byHealth[(int)HealthState.Down] > 0 ? HealthState.Degraded
        : HealthState.Running;

    /// <summary>Empties the tally; returns what it held by health, for whoever added it elsewhere to take back.</summary>
    public int[] Clear()
    {
        var held = (int[])_byHealth.Clone();
        Array.Clear(_byHealth);
        _criticalDown = 0;
        return held;
    }
}
