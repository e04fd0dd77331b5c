namespace Supervise;

/// <summary>How much a child matters to its supervisor's health.</summary>
public enum Criticality
{
    /// <summary>The supervisor cannot do its job without it: when it is Down, the supervisor is Down.</summary>
    Critical,

    /// <summary>The supervisor works worse without it: when it is not Running, the supervisor is Degraded. The default.</summary>
    Important,

    /// <summary>A nice-to-have: when it is not Running, the supervisor is Degraded at most.</summary>
    Optional,
}
