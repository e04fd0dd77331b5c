using System.Diagnostics;

namespace Supervise;

/// <summary>
/// Supervise's traces: an <see cref="ActivitySource"/> named <see cref="SourceName"/>. Each crash its supervisor decides is
/// one span (<c>supervise.crash</c>) whose <c>supervise.outcome</c> tag says what came of it (restarted, restarted with its
/// group, restart delayed, circuit opened, isolated, gave up, not restarted, covered by a group restart); a supervisor that
/// gave up crashes in its parent, and that crash's span links to the give-up's. Each chaos run is one span
/// (<c>supervise.chaos</c>) with an event per fault (its first <see cref="ChaosOptions.JournalCapacity"/>). With no
/// listener (no tracer provider that adds the source), nothing is made.
/// </summary>
public static class SuperviseTracing
{
    /// <summary>The source's name: <c>AddSource(SuperviseTracing.SourceName)</c> in OpenTelemetry's tracer provider.</summary>
    public const string SourceName = "Supervise";

    internal static readonly ActivitySource Source = new(SourceName, typeof(SuperviseTracing).Assembly.GetName().Version?.ToString(3));

    /// <summary>A crash's span, linked to the span of a give-up that caused it (a nested supervisor that gave up crashes in its parent).</summary>
    internal static Activity? StartCrash(string supervisorPath, string childId, Strategy strategy, Exception cause)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = cause is RestartIntensityExceededException { TraceContext: var context } && context != default ? new[] { new ActivityLink(context) } : null;
        var span = Source.StartActivity("supervise.crash", ActivityKind.Internal, default(ActivityContext), links: links);
        span?.SetTag("supervise.supervisor", supervisorPath)
            .SetTag("supervise.child", childId)
            .SetTag("supervise.strategy", strategy.ToString())
            .AddException(cause);
        return span;
    }
}
