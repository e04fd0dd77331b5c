namespace Supervise;

/// <summary>When a supervisor restarts a child that exited (OTP's <c>restart</c> field).</summary>
public enum RestartType
{
    /// <summary>Always restarted, whatever the exit reason, including a normal stop. The default.</summary>
    Permanent,

    /// <summary>Restarted only after an abnormal exit (an exception, or a stop with a failure reason).</summary>
    Transient,

    /// <summary>Never restarted; removed from the supervisor when it exits.</summary>
    Temporary,
}
