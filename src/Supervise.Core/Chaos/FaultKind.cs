namespace Supervise;

/// <summary>What the fault injector does to a child.</summary>
public enum FaultKind
{
    /// <summary>The child throws (the fault's exception) while handling a message: a crash on the normal supervision path.</summary>
    Crash,

    /// <summary>The child is stopped at once, with exit reason "killed" (abnormal: Permanent and Transient children are restarted).</summary>
    Kill,

    /// <summary>The child stops normally (Permanent children are restarted; Transient and Temporary ones are not).</summary>
    Stop,

    /// <summary>The child's next message waits for the fault's duration.</summary>
    Delay,

    /// <summary>The child handles nothing for the fault's duration (it does not crash; callers wait).</summary>
    Hang,

    /// <summary>A message that crashes the child every time it is handled (see <see cref="RequeuePolicy"/> and <see cref="QuarantinePolicy"/>).</summary>
    Poison,

    /// <summary>The child crashes and its next start throws, as a bad configuration would.</summary>
    FailingRestart,

    /// <summary>The next <c>Count</c> messages sent to the child's address are lost (counted and reported as dropped).</summary>
    Drop,
}
