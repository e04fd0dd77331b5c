namespace Supervise;

/// <summary>How a tree runs. Every default is stated; all are optional.</summary>
public sealed record TreeOptions
{
    /// <summary>The tree's name: its root actor's name and the first element of every path. Default: <c>"supervise"</c>.</summary>
    public string Name { get; init; } = "supervise";

    /// <summary>
    /// The one clock and timer source of every time-dependent rule (restart window, shutdown timeouts).
    /// Default: <see cref="TimeProvider.System"/>; tests pass a FakeTimeProvider for virtual time.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>What happens when the root exceeds its restart intensity. Default: <see cref="RootGiveUp.StopTree"/>.</summary>
    public RootGiveUp OnRootGiveUp { get; init; } = RootGiveUp.StopTree;

    /// <summary>How long a call on a <see cref="SupervisorHandle"/> waits for its answer. Default: 30 seconds.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the tree is stopped in order during the actor system's coordinated shutdown. Default: <see langword="true"/>.</summary>
    public bool StopWithActorSystem { get; init; } = true;
}

/// <summary>What the root does when it exceeds its restart intensity.</summary>
public enum RootGiveUp
{
    /// <summary>Stop the tree and report it down; the actor system stays up. The default.</summary>
    StopTree,

    /// <summary>Stop the tree, then terminate the actor system (OTP's permanent application).</summary>
    TerminateActorSystem,
}
