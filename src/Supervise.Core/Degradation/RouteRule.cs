using Supervise.Supervision;

namespace Supervise;

/// <summary>What a child's policies do with messages sent to its stable address while it cannot answer (one at most: they share a concern).</summary>
internal enum WhileDown : byte
{
    /// <summary>No policy: dropped and reported.</summary>
    Drop,

    /// <summary><see cref="RejectPolicy"/>: the sender is told at once.</summary>
    Reject,

    /// <summary><see cref="BufferPolicy"/>: held while the child is coming back.</summary>
    Buffer,

    /// <summary><see cref="FallbackPolicy"/>: a stand-in answers.</summary>
    Fallback,
}

/// <summary>Where a stable address sends messages.</summary>
internal enum RouteKind : byte
{
    /// <summary>To the running child.</summary>
    Child,

    /// <summary>The sender is told the child is unavailable, and why.</summary>
    Reject,

    /// <summary>Held until the child runs again.</summary>
    Buffer,

    /// <summary>To the fallback's stand-in.</summary>
    StandIn,

    /// <summary>Into the mailbox of the child's suspended incarnation, which keeps it across a restart in place.</summary>
    Mailbox,

    /// <summary>Dropped and reported, with why.</summary>
    Drop,
}

/// <summary>
/// What the rule knows of a child: its lifecycle, its health, its circuit, its policy while down, whether a stand-in is there
/// to answer, and whether a live upgrade is replacing it (its address then holds what is sent until the replacement runs).
/// </summary>
internal readonly record struct RouteFacts(ChildLifecycle Lifecycle, HealthState Health, CircuitState Circuit, WhileDown WhileDown, bool StandInReady, bool Replacing = false);

/// <summary>Where to send, and for a reject or a drop, why the child cannot answer.</summary>
internal readonly record struct RouteChoice(RouteKind Kind, string? Why = null);

/// <summary>
/// Which route a child's stable address takes (<see cref="ChildAddress"/>): held while an upgrade replaces it (its old
/// incarnation handles what it was sent before, its new one what came since); to the child while it answers; else its policy
/// while down (reject; buffer while it is coming back; a stand-in once one runs); else the suspended incarnation's mailbox,
/// which a restart in place keeps; else dropped and reported. Pure: the shell makes the route objects.
/// </summary>
internal static class RouteRule
{
    /// <summary>The route for a child in <paramref name="facts"/>.</summary>
    public static RouteChoice Choose(RouteFacts facts)
    {
        if (facts.Replacing)
        {
            return new(RouteKind.Buffer);
        }

        if (ChildLifecycleRule.Answers(facts.Lifecycle))
        {
            return new(RouteKind.Child);
        }

        var why = WhyNot(facts);
        switch (facts.WhileDown)
        {
            case WhileDown.Reject:
                return new(RouteKind.Reject, why);
            case WhileDown.Buffer when facts.Health == HealthState.Restarting:
                // Only while it is coming back: once it is down, what the buffer held is dropped and reported.
                return new(RouteKind.Buffer);
            case WhileDown.Fallback when facts.StandInReady:
                return new(RouteKind.StandIn);
        }

        // Restarting in place: its mailbox keeps what is sent. Not once it is being stopped (what it is sent then would race
        // its mailbox's closing, where Akka.NET can lose a message without a dead letter), nor when it is replaced once gone.
        if (ChildLifecycleRule.HasIncarnation(facts.Lifecycle) && facts.Lifecycle is not (ChildLifecycle.ReplacedWhenGone or ChildLifecycle.Stopping))
        {
            return new(RouteKind.Mailbox);
        }

        return new(RouteKind.Drop, why);
    }

    /// <summary>Why a child does not answer, as a sender is told or a drop is reported.</summary>
    public static string WhyNot(RouteFacts facts) =>
        facts.Lifecycle == ChildLifecycle.Stopping ? "it is being stopped"
        : facts.Health == HealthState.Restarting ? "it is restarting"
        : facts.Circuit == CircuitState.Open ? "its circuit breaker is open"
        : facts.Lifecycle == ChildLifecycle.Isolated ? "it was isolated after exceeding its supervisor's restart intensity"
        : "it is not running";
}
