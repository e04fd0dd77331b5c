namespace Supervise.Runtime;

/// <summary>A child's validated policies, sorted by concern once per spec.</summary>
internal sealed class PolicySet
{
    public static readonly PolicySet None = new([]);

    public PolicySet(IReadOnlyList<DegradationPolicy> policies)
    {
        foreach (var policy in policies)
        {
            switch (policy)
            {
                case IsolatePolicy:
                    Isolate = true;
                    break;
                case CircuitBreakerPolicy breaker:
                    Breaker = breaker;
                    break;
                case RejectPolicy:
                    Reject = true;
                    break;
                case BufferPolicy buffer:
                    Buffer = buffer;
                    break;
                case FallbackPolicy fallback:
                    Fallback = fallback;
                    break;
                case BackoffPolicy backoff:
                    Backoff = backoff;
                    break;
                case RequeuePolicy:
                    RequeueAfter = int.MaxValue;
                    break;
                case QuarantinePolicy quarantine:
                    Quarantine = quarantine;
                    RequeueAfter = quarantine.After;
                    break;
            }
        }
    }

    public static PolicySet For(IReadOnlyList<DegradationPolicy>? own, IReadOnlyList<DegradationPolicy> defaults)
    {
        var policies = own ?? defaults;
        return policies.Count == 0 ? None : new PolicySet(policies);
    }

    public bool Isolate { get; }

    public CircuitBreakerPolicy? Breaker { get; }

    /// <summary>Whether the supervisor contains this child instead of giving up when it exceeds the intensity.</summary>
    public bool Contains => Isolate || Breaker is not null;

    public bool Reject { get; }

    /// <summary>What its address does while it cannot answer (the policies share that concern: one at most).</summary>
    public WhileDown WhileDown => Reject ? WhileDown.Reject : Buffer is not null ? WhileDown.Buffer : Fallback is not null ? WhileDown.Fallback : WhileDown.Drop;

    public BufferPolicy? Buffer { get; }

    public FallbackPolicy? Fallback { get; }

    public BackoffPolicy? Backoff { get; }

    public QuarantinePolicy? Quarantine { get; }

    /// <summary>Crashes in a row by one message before it is no longer requeued; 0 when the in-flight message is dropped.</summary>
    public int RequeueAfter { get; }
}
