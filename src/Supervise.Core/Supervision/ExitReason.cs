namespace Supervise;

/// <summary>Why a child exited. Decides whether a Transient child is restarted (OTP exit reasons).</summary>
public sealed record ExitReason
{
    private ExitReason(ExitKind kind, string? detail, Exception? exception)
    {
        Kind = kind;
        Detail = detail;
        Exception = exception;
    }

    /// <summary>Normal, shutdown or failure.</summary>
    public ExitKind Kind { get; }

    /// <summary>A description given with the exit, if any.</summary>
    public string? Detail { get; }

    /// <summary>The exception that ended the child, for crashes.</summary>
    public Exception? Exception { get; }

    /// <summary>Whether the exit is abnormal: only then is a Transient child restarted.</summary>
    public bool IsAbnormal => Kind == ExitKind.Failure;

    /// <summary>The child stopped by itself, its work done (OTP <c>normal</c>).</summary>
    public static ExitReason Normal { get; } = new(ExitKind.Normal, null, null);

    /// <summary>The child was shut down (OTP <c>shutdown</c>).</summary>
    public static ExitReason Shutdown { get; } = new(ExitKind.Shutdown, null, null);

    /// <summary>The child was shut down, with a description (OTP <c>{shutdown, Term}</c>).</summary>
    public static ExitReason ShutdownWith(string detail) => new(ExitKind.Shutdown, detail, null);

    /// <summary>The child stopped because something went wrong, without throwing.</summary>
    public static ExitReason Failure(string detail) => new(ExitKind.Failure, detail, null);

    /// <summary>The child crashed with <paramref name="exception"/>.</summary>
    public static ExitReason Crash(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(ExitKind.Failure, exception.Message, exception);
    }

    /// <inheritdoc/>
    public override string ToString() => Exception is not null
        ? $"Crash({Exception.GetType().Name}: {Exception.Message})"
        : Detail is null ? Kind.ToString() : $"{Kind}({Detail})";
}

/// <summary>The kinds of exit reason.</summary>
public enum ExitKind
{
    /// <summary>A normal stop.</summary>
    Normal,

    /// <summary>A shutdown: normal for Transient children.</summary>
    Shutdown,

    /// <summary>An abnormal exit: a crash or a stop with a failure reason.</summary>
    Failure,
}
