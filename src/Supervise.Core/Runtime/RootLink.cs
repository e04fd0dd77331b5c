using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>How the root supervisor reports its start and its end to the <see cref="SupervisionTree"/>.</summary>
internal sealed class RootLink
{
    public TaskCompletionSource<IActorRef> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<TreeOutcome> Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the root actor has really terminated (its name is free again).</summary>
    public TaskCompletionSource Terminated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
