namespace Supervise;

/// <summary>
/// The reason a supervisor fails to its parent when it gives up: one restart more than its intensity
/// allows within its period. The parent handles it as a failure of that supervisor (escalation).
/// </summary>
public sealed class RestartIntensityExceededException : Exception
{
    /// <summary>Creates the reason.</summary>
    public RestartIntensityExceededException(string supervisorPath, string childId, int restarts, int intensity, TimeSpan period, Exception? lastFailure)
        : base($"Supervisor '{supervisorPath}' gave up: child '{Show.Cut(childId)}' needed restart {restarts} within {period.TotalSeconds:0.###} s, more than its intensity of {intensity} allows.", lastFailure)
    {
        SupervisorPath = supervisorPath;
        ChildId = childId;
        Restarts = restarts;
        Intensity = intensity;
        Period = period;
    }

    /// <summary>The supervisor that gave up.</summary>
    public string SupervisorPath { get; }

    /// <summary>The span of the crash that made it give up (<see cref="SuperviseTracing"/>), for the parent's crash span to link to.</summary>
    internal System.Diagnostics.ActivityContext TraceContext { get; set; }

    /// <summary>The child whose exit took the count over the limit.</summary>
    public string ChildId { get; }

    /// <summary>The restarts within the window, counting the one refused.</summary>
    public int Restarts { get; }

    /// <summary>The supervisor's intensity.</summary>
    public int Intensity { get; }

    /// <summary>The supervisor's period.</summary>
    public TimeSpan Period { get; }
}

/// <summary>A child could not be started, so its supervisor could not start (or a start call failed).</summary>
public sealed class ChildStartException : Exception
{
    /// <summary>Creates the error.</summary>
    public ChildStartException(string supervisorPath, string childId, Exception cause)
        : base($"Supervisor '{supervisorPath}' could not start child '{Show.Cut(childId)}': {Describe(cause)}", cause)
    {
        SupervisorPath = supervisorPath;
        ChildId = childId;
    }

    /// <summary>The supervisor whose start failed.</summary>
    public string SupervisorPath { get; }

    /// <summary>The child that failed to start.</summary>
    public string ChildId { get; }

    /// <summary>The type and message of the meaningful cause, under Akka's and reflection's wrappers.</summary>
    internal static string Describe(Exception cause)
    {
        if (cause is ChildStartException)
        {
            return cause.Message;
        }

        var root = Unwrap(cause);
        return $"{root.GetType().Name}: {root.Message}";
    }

    /// <summary>Strips the wrappers Akka.NET and reflection put around a constructor's or PreStart's exception.</summary>
    internal static Exception Unwrap(Exception cause)
    {
        var current = cause;
        while (current.InnerException is { } inner
            && current is Akka.Actor.ActorInitializationException or System.Reflection.TargetInvocationException or TypeLoadException)
        {
            current = inner;
        }

        return current;
    }
}

/// <summary>The cause handed to siblings restarted because a child exited without throwing.</summary>
public sealed class ChildExitedException : Exception
{
    /// <summary>Creates the cause.</summary>
    public ChildExitedException(string childPath, ExitReason reason)
        : base($"Child '{childPath}' exited: {reason}")
    {
        ChildPath = childPath;
        Reason = reason;
    }

    /// <summary>The child that exited.</summary>
    public string ChildPath { get; }

    /// <summary>Why it exited.</summary>
    public ExitReason Reason { get; }
}

/// <summary>A call reached a supervisor that is shutting down or restarting and cannot answer it.</summary>
public sealed class SupervisorUnavailableException : Exception
{
    /// <summary>Creates the error.</summary>
    public SupervisorUnavailableException(string supervisorPath, string why)
        : base($"Supervisor '{supervisorPath}' cannot take calls: {why}")
    {
        SupervisorPath = supervisorPath;
    }

    /// <summary>The supervisor called.</summary>
    public string SupervisorPath { get; }
}
