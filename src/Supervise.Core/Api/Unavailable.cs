namespace Supervise;

/// <summary>
/// The reply a caller gets from a <see cref="ChildAddress"/> whose child is not running and whose policy is
/// <see cref="RejectPolicy"/>: sent at once, instead of the caller waiting for a child that cannot answer.
/// </summary>
/// <param name="SupervisorPath">The child's supervisor.</param>
/// <param name="ChildId">The child.</param>
/// <param name="State">The child's health when it rejected the message.</param>
/// <param name="Reason">Why it is unavailable, in words.</param>
public sealed record Unavailable(string SupervisorPath, string ChildId, HealthState State, string Reason);

/// <summary>Thrown by <see cref="ChildAddress.AskAsync{T}"/> when the child answered <see cref="Unavailable"/>.</summary>
public sealed class ChildUnavailableException : Exception
{
    /// <summary>Creates the exception from the reply.</summary>
    public ChildUnavailableException(Unavailable reply)
        : base($"Child '{reply?.SupervisorPath}/{reply?.ChildId}' is unavailable ({reply?.State}): {reply?.Reason}")
    {
        ArgumentNullException.ThrowIfNull(reply);
        Reply = reply;
    }

    /// <summary>The reply.</summary>
    public Unavailable Reply { get; }
}
