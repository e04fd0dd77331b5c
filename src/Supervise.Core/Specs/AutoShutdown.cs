namespace Supervise;

/// <summary>Whether a supervisor shuts itself down when significant children exit (OTP 24 <c>auto_shutdown</c>).</summary>
public enum AutoShutdown
{
    /// <summary>Never shut down automatically. The default; significant children are not allowed.</summary>
    Never,

    /// <summary>Shut down when any significant child exits by itself and is not restarted.</summary>
    AnySignificant,

    /// <summary>Shut down when every significant child has exited by itself and is not restarted.</summary>
    AllSignificant,
}
