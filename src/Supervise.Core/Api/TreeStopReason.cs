namespace Supervise;

/// <summary>Why a tree stopped.</summary>
public enum TreeStopReason
{
    /// <summary>It was asked to stop (<see cref="SupervisionTree.StopAsync"/> or actor system shutdown).</summary>
    Stopped,

    /// <summary>Its root exceeded its restart intensity.</summary>
    GaveUp,

    /// <summary>Its root shut down because significant children exited.</summary>
    AutoShutdown,

    /// <summary>Its root actor was stopped from outside Supervise.</summary>
    Killed,
}
