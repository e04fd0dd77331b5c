using Akka.Actor;

namespace Supervise;

/// <summary>
/// What a supervisor does when a child cannot be kept up, instead of (or before) giving up on the whole
/// supervisor. Set on <see cref="ChildSpec.Policies"/> (or <see cref="SupervisionSpec.DefaultPolicies"/>);
/// made by <see cref="Policy"/>. Each policy answers one of four questions, and a child has at most one
/// answer to each:
/// <list type="bullet">
/// <item><b>When its restarts exceed the intensity</b>: <see cref="EscalatePolicy"/> (the default, OTP),
/// <see cref="IsolatePolicy"/> or <see cref="CircuitBreakerPolicy"/>.</item>
/// <item><b>What callers of its <see cref="ChildAddress"/> get while it is not running</b>: nothing special
/// (the default), <see cref="RejectPolicy"/>, <see cref="BufferPolicy"/> or <see cref="FallbackPolicy"/>.</item>
/// <item><b>When it is restarted</b>: at once (the default) or after a <see cref="BackoffPolicy"/> delay.</item>
/// <item><b>What becomes of the message it crashed on</b>: dropped and reported (the default),
/// <see cref="RequeuePolicy"/>, or <see cref="QuarantinePolicy"/>.</item>
/// </list>
/// </summary>
public abstract record DegradationPolicy
{
    private protected DegradationPolicy()
    {
    }

    /// <summary>The question this policy answers; two policies with the same answer cannot be combined.</summary>
    public abstract PolicyConcern Concern { get; }

    /// <summary>Adds a problem for each out-of-range setting.</summary>
    internal virtual void Validate(Action<string, string, string> problem)
    {
    }

    /// <summary>A short name for messages, for example <c>Buffer(100)</c>.</summary>
    public abstract string Describe();
}

/// <summary>The question a <see cref="DegradationPolicy"/> answers.</summary>
public enum PolicyConcern
{
    /// <summary>What happens when the child's restarts exceed the supervisor's intensity.</summary>
    GiveUp,

    /// <summary>What callers of the child's address get while it is not running.</summary>
    WhileDown,

    /// <summary>When a restart happens.</summary>
    RestartTiming,

    /// <summary>What becomes of the message the child was handling when it crashed.</summary>
    InFlight,
}

/// <summary>OTP's answer, and the default: the supervisor gives up, stops its children and fails to its parent.</summary>
public sealed record EscalatePolicy : DegradationPolicy
{
    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.GiveUp;

    /// <inheritdoc/>
    public override string Describe() => "Escalate";
}

/// <summary>
/// The restart that would exceed the intensity is not made: the child is stopped and stays Down, its
/// restarts leave the supervisor's window, and its siblings are untouched. <c>RestartChildAsync</c> starts
/// it again. A dynamic supervisor's child is stopped and removed.
/// </summary>
public sealed record IsolatePolicy : DegradationPolicy
{
    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.GiveUp;

    /// <inheritdoc/>
    public override string Describe() => "Isolate";
}

/// <summary>
/// A circuit breaker around the child's restarts. <b>Closed</b>: crashes are restarted as usual. After
/// <see cref="Failures"/> crashes within <see cref="Window"/> (or a crash that would exceed the supervisor's
/// intensity) it <b>opens</b>: the child is stopped and is Down for a cool-down. Then it is <b>half-open</b>:
/// one restart is made (the probe). If the probe runs for <see cref="ProbeTime"/> without crashing the
/// breaker <b>closes</b>; if it crashes the breaker opens again, with a cool-down <see cref="Multiplier"/>
/// times longer, up to <see cref="MaxCooldown"/>. Probe restarts do not count in the supervisor's window.
/// </summary>
/// <param name="Failures">Crashes within <see cref="Window"/> that open the breaker; 1 or more.</param>
/// <param name="Window">How far back crashes are counted; positive.</param>
/// <param name="Cooldown">The first cool-down; positive.</param>
public sealed record CircuitBreakerPolicy(int Failures, TimeSpan Window, TimeSpan Cooldown) : DegradationPolicy
{
    /// <summary>The longest cool-down. Default: 1 minute; at least <see cref="Cooldown"/>.</summary>
    public TimeSpan MaxCooldown { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How much longer each cool-down is than the one before, after a failed probe. Default: 2; 1 or more.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>How long the probe must run without crashing for the breaker to close. Default: 1 second; positive.</summary>
    public TimeSpan ProbeTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cool-down after the breaker opened <paramref name="opens"/> times in a row (1 for the first).</summary>
    public TimeSpan CooldownFor(int opens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(opens, 1);
        return PolicyChecks.Grown(Cooldown, Multiplier, opens, 1, MaxCooldown);
    }

    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.GiveUp;

    /// <inheritdoc/>
    public override string Describe() => $"CircuitBreaker({Failures} in {Window})";

    internal override void Validate(Action<string, string, string> problem)
    {
        PolicyChecks.AtLeast(problem, "Failures", Failures, 1);
        PolicyChecks.Positive(problem, "Window", Window);
        PolicyChecks.TimerDuration(problem, "Cooldown", Cooldown);
        PolicyChecks.TimerDuration(problem, "ProbeTime", ProbeTime);
        PolicyChecks.AtLeast(problem, "Multiplier", Multiplier, 1);
        PolicyChecks.Ceiling(problem, "MaxCooldown", MaxCooldown, "Cooldown", Cooldown);
    }
}

/// <summary>While the child is not running, callers get an immediate <see cref="Unavailable"/> reply instead of waiting.</summary>
public sealed record RejectPolicy : DegradationPolicy
{
    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.WhileDown;

    /// <inheritdoc/>
    public override string Describe() => "Reject";
}

/// <summary>What a full buffer gives up.</summary>
public enum BufferOverflow
{
    /// <summary>The arriving message is dropped (and reported).</summary>
    DropNewest,

    /// <summary>The oldest buffered message is dropped (and reported) to make room.</summary>
    DropOldest,
}

/// <summary>
/// While the child is not running, messages sent to its address are held, up to <see cref="Capacity"/>,
/// and replayed in arrival order when it runs again. Beyond the capacity, <see cref="Overflow"/> decides
/// which message is dropped; every dropped message is reported as a <see cref="MessageDropped"/> event
/// and counted on the address.
/// </summary>
/// <param name="Capacity">Messages held at most; 1 or more.</param>
public sealed record BufferPolicy(int Capacity) : DegradationPolicy
{
    /// <summary>Which message a full buffer drops. Default: <see cref="BufferOverflow.DropNewest"/>.</summary>
    public BufferOverflow Overflow { get; init; } = BufferOverflow.DropNewest;

    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.WhileDown;

    /// <inheritdoc/>
    public override string Describe() => $"Buffer({Capacity})";

    internal override void Validate(Action<string, string, string> problem)
    {
        PolicyChecks.AtLeast(problem, "Capacity", Capacity, 1);
        if (!Enum.IsDefined(Overflow))
        {
            problem("Overflow", "DropNewest or DropOldest", Overflow.ToString());
        }
    }
}

/// <summary>
/// While the child is not running, a degraded stand-in made by <see cref="Start"/> answers at the child's
/// address; it is stopped (after handling what it was sent) once the child runs again.
/// </summary>
/// <param name="Start">Makes the stand-in's props.</param>
public sealed record FallbackPolicy(Func<Props> Start) : DegradationPolicy
{
    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.WhileDown;

    /// <inheritdoc/>
    public override string Describe() => "Fallback";

    internal override void Validate(Action<string, string, string> problem)
    {
        if (Start is null)
        {
            problem("Start", "a props factory for the stand-in", "null");
        }
    }
}

/// <summary>
/// Restarts wait: the n-th restart in a row waits
/// <c>min(MaxDelay, MinDelay × Multiplier^(n−1) × (1 + Jitter × (2u − 1)))</c>, where u is drawn in [0, 1)
/// from <c>new Random(Seed)</c>, one draw per restart. After <see cref="ResetAfter"/> without a crash,
/// n starts again at 1. Each restart still counts in the supervisor's intensity window when it is decided.
/// </summary>
/// <param name="MinDelay">The first delay; positive.</param>
/// <param name="MaxDelay">The longest delay; at least <paramref name="MinDelay"/>.</param>
public sealed record BackoffPolicy(TimeSpan MinDelay, TimeSpan MaxDelay) : DegradationPolicy
{
    /// <summary>How much longer each delay is than the one before. Default: 2; 1 or more.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>The share of each delay that is random, from 0 (none) to 1. Default: 0.2 (±20%).</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>How long the child must run without crashing for the delays to start again from <see cref="MinDelay"/>. Default: 30 seconds; positive.</summary>
    public TimeSpan ResetAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The seed of each child's jitter source. Default (<see langword="null"/>): a random seed per child,
    /// reported in each <see cref="ChildRestartDelayed"/> event. Set it to make delays reproducible.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>The delay of restart <paramref name="attempt"/> in a row (1 for the first) with random draw <paramref name="u"/> in [0, 1).</summary>
    public TimeSpan DelayFor(int attempt, double u)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        return PolicyChecks.Grown(MinDelay, Multiplier, attempt, 1 + (Jitter * ((2 * u) - 1)), MaxDelay);
    }

    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.RestartTiming;

    /// <inheritdoc/>
    public override string Describe() => $"Backoff({MinDelay}..{MaxDelay})";

    internal override void Validate(Action<string, string, string> problem)
    {
        PolicyChecks.TimerDuration(problem, "MinDelay", MinDelay);
        PolicyChecks.Positive(problem, "ResetAfter", ResetAfter);
        PolicyChecks.AtLeast(problem, "Multiplier", Multiplier, 1);
        PolicyChecks.Ceiling(problem, "MaxDelay", MaxDelay, "MinDelay", MinDelay);

        if (!(Jitter is >= 0 and <= 1))
        {
            problem("Jitter", "a share from 0 to 1", Jitter.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>
/// The message the child crashed on is put back at the front of its mailbox, to be handled first by the
/// restarted child. Only the supervisor's intensity bounds how often; prefer <see cref="QuarantinePolicy"/>.
/// </summary>
public sealed record RequeuePolicy : DegradationPolicy
{
    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.InFlight;

    /// <inheritdoc/>
    public override string Describe() => "Requeue";
}

/// <summary>
/// The message the child crashed on is put back at the front of its mailbox until it has crashed the
/// child <see cref="After"/> times in a row; then it is set aside with its sender and exception, readable
/// through <see cref="SupervisorHandle.GetQuarantinedAsync"/>, and the child goes on with the next message.
/// <c>After = 1</c> sets it aside at once.
/// </summary>
/// <param name="After">Crashes in a row by the same message that set it aside; 1 or more.</param>
public sealed record QuarantinePolicy(int After) : DegradationPolicy
{
    /// <summary>Messages kept per child; beyond it the oldest is dropped and reported. Default: 100; 1 or more.</summary>
    public int Capacity { get; init; } = 100;

    /// <inheritdoc/>
    public override PolicyConcern Concern => PolicyConcern.InFlight;

    /// <inheritdoc/>
    public override string Describe() => $"Quarantine({After})";

    internal override void Validate(Action<string, string, string> problem)
    {
        PolicyChecks.AtLeast(problem, "After", After, 1);
        PolicyChecks.AtLeast(problem, "Capacity", Capacity, 1);
    }
}

internal static class PolicyChecks
{
    /// <summary>The n-th of a series growing by <paramref name="multiplier"/> from <paramref name="first"/>, times <paramref name="factor"/>, at most <paramref name="max"/>.</summary>
    public static TimeSpan Grown(TimeSpan first, double multiplier, int n, double factor, TimeSpan max)
    {
        var ticks = first.Ticks * Math.Pow(multiplier, n - 1) * factor;
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks(Math.Max(0, (long)ticks));
    }

    public static void AtLeast(Action<string, string, string> problem, string field, double value, double min)
    {
        if (!(value >= min))
        {
            problem(field, $"{min} or more", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The longest delay a timer takes (about 49.7 days), rounded down.</summary>
    public static readonly TimeSpan MaxTimer = TimeSpan.FromDays(49);

    public static void Positive(Action<string, string, string> problem, string field, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problem(field, "a positive duration", value.ToString());
        }
    }

    /// <summary>The longest of a growing series of timer durations: at least its first, and at most <see cref="MaxTimer"/>.</summary>
    public static void Ceiling(Action<string, string, string> problem, string field, TimeSpan value, string firstField, TimeSpan first)
    {
        if (value < first)
        {
            problem(field, $"a duration of at least {firstField} ({first})", value.ToString());
        }
        else
        {
            TimerDuration(problem, field, value);
        }
    }

    /// <summary>A timeout a caller passed, checked as the specs' durations are: positive and at most 49 days (what a .NET timer waits).</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is zero or less, or longer than 49 days; the message says which was expected.</exception>
    public static TimeSpan CallTimeout(TimeSpan timeout, string parameter) =>
        timeout > TimeSpan.Zero && timeout <= PolicyChecks.MaxTimer
            ? timeout
            : throw new ArgumentOutOfRangeException(parameter, timeout, $"Expected a positive duration of at most 49 days (what a .NET timer waits), received {timeout}.");

    /// <summary>A duration a timer waits for: positive and at most <see cref="MaxTimer"/>.</summary>
    public static void TimerDuration(Action<string, string, string> problem, string field, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > MaxTimer)
        {
            problem(field, "a positive duration of at most 49 days", value.ToString());
        }
    }
}
