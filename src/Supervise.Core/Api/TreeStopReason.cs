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

    /// <summary>A child failed to start, so the tree never started; the error names it.</summary>
    StartFailed,

    /// <summary>The root supervisor itself threw (a bug): it stopped the tree in order rather than restart it.</summary>
    Failed,
}
