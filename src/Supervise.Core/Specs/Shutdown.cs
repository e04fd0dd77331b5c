namespace Supervise;

/// <summary>How a supervisor stops a child (OTP's <c>shutdown</c> field).</summary>
/// <remarks>
/// .NET cannot kill a thread. A child blocked inside a message handler ends when the handler returns;
/// the supervisor stops waiting for it once the shutdown allows no more time.
/// </remarks>
public sealed record Shutdown
{
    private Shutdown(ShutdownMode mode, TimeSpan timeout)
    {
        Mode = mode;
        TimeoutValue = timeout;
    }

    /// <summary>How the child is stopped.</summary>
    public ShutdownMode Mode { get; }

    /// <summary>The grace period when <see cref="Mode"/> is <see cref="ShutdownMode.Timeout"/>; otherwise zero.</summary>
    public TimeSpan TimeoutValue { get; }

    /// <summary>Stop the child at once: its queued messages are discarded.</summary>
    public static Shutdown BrutalKill { get; } = new(ShutdownMode.BrutalKill, TimeSpan.Zero);

    /// <summary>Ask the child to stop gracefully and wait as long as it takes (the default for supervisors).</summary>
    public static Shutdown Infinity { get; } = new(ShutdownMode.Infinity, TimeSpan.Zero);

    /// <summary>The default for workers: a graceful stop forced after 5 seconds.</summary>
    public static Shutdown DefaultWorker { get; } = new(ShutdownMode.Timeout, TimeSpan.FromSeconds(5));

    /// <summary>
    /// Ask the child to stop gracefully (it handles the messages already queued, then stops);
    /// force it after <paramref name="timeout"/>. Validation requires zero or more; as in OTP, a timeout of
    /// zero stops the child at once unless it is already gone (like <see cref="BrutalKill"/>).
    /// </summary>
    public static Shutdown Timeout(TimeSpan timeout) => new(ShutdownMode.Timeout, timeout);

    /// <summary>The default for a kind of child: 5 s for workers, <see cref="Infinity"/> for supervisors.</summary>
    public static Shutdown DefaultFor(ChildKind kind) => kind == ChildKind.Supervisor ? Infinity : DefaultWorker;

    /// <inheritdoc/>
    public override string ToString() => Mode == ShutdownMode.Timeout ? $"Timeout({TimeoutValue})" : Mode.ToString();
}

/// <summary>The ways a supervisor can stop a child.</summary>
public enum ShutdownMode
{
    /// <summary>Stop at once (OTP <c>brutal_kill</c>).</summary>
    BrutalKill,

    /// <summary>Graceful stop, forced after a timeout.</summary>
    Timeout,

    /// <summary>Graceful stop, waited for without limit (OTP <c>infinity</c>).</summary>
    Infinity,
}
