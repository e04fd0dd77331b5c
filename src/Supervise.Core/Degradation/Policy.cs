using Akka.Actor;

namespace Supervise;

/// <summary>Makes <see cref="DegradationPolicy"/> values: <c>Policies = [Policy.Backoff(...), Policy.Buffer(100)]</c>.</summary>
public static class Policy
{
    /// <summary>OTP's default: give up and fail to the parent.</summary>
    public static EscalatePolicy Escalate() => new();

    /// <summary>Stop the child and mark it Down instead of giving up; siblings are untouched.</summary>
    public static IsolatePolicy Isolate() => new();

    /// <summary>Open after <paramref name="failures"/> crashes within <paramref name="window"/>; probe again after <paramref name="cooldown"/>, growing.</summary>
    public static CircuitBreakerPolicy CircuitBreaker(int failures, TimeSpan window, TimeSpan cooldown) => new(failures, window, cooldown);

    /// <summary>Callers get an immediate <see cref="Unavailable"/> reply while the child is not running.</summary>
    public static RejectPolicy Reject() => new();

    /// <summary>Hold up to <paramref name="capacity"/> messages while the child is not running, and replay them in order.</summary>
    public static BufferPolicy Buffer(int capacity) => new(capacity);

    /// <summary>A stand-in made by <paramref name="start"/> answers while the child is not running.</summary>
    public static FallbackPolicy Fallback(Func<Props> start) => new(start);

    /// <summary>A stand-in with <paramref name="props"/> answers while the child is not running.</summary>
    public static FallbackPolicy Fallback(Props props)
    {
        ArgumentNullException.ThrowIfNull(props);
        return new(() => props);
    }

    /// <summary>Restarts wait, exponentially longer from <paramref name="minDelay"/> up to <paramref name="maxDelay"/>, with jitter.</summary>
    public static BackoffPolicy Backoff(TimeSpan minDelay, TimeSpan maxDelay) => new(minDelay, maxDelay);

    /// <summary>The message the child crashed on is handled again first.</summary>
    public static RequeuePolicy Requeue() => new();

    /// <summary>A message that crashes the child <paramref name="after"/> times in a row is set aside.</summary>
    public static QuarantinePolicy Quarantine(int after = 1) => new(after);
}
