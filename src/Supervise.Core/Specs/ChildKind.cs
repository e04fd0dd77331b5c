namespace Supervise;

/// <summary>Whether a child is a worker or a supervisor (OTP's <c>type</c> field).</summary>
public enum ChildKind
{
    /// <summary>A worker actor. Default shutdown: <see cref="Shutdown.Timeout(TimeSpan)"/> of 5 seconds.</summary>
    Worker,

    /// <summary>A supervisor of its own children. Default shutdown: <see cref="Shutdown.Infinity"/>.</summary>
    Supervisor,
}
