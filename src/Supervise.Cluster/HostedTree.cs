using Akka.Actor;

namespace Supervise.Cluster;

/// <summary>
/// The tree a singleton or entity host runs for its child. The tree's root is a top-level actor, not the
/// host's child, so its life is tied to the host's here: a tree whose start finishes after its host has
/// stopped is stopped at once (it never runs beside the next instance), and a stop is awaited until the
/// root has terminated. It does not stop with the actor system on its own (the host decides: a hand-over
/// or hand-off stops it in order).
/// </summary>
internal sealed class HostedTree
{
    private readonly object _gate = new();
    private bool _hostStopped;
    private SupervisionTree? _tree;

    /// <summary>The clock the tree runs on; events about it are stamped with it too.</summary>
    public TimeProvider Clock { get; } = TimeProvider.System;

    /// <summary>Starts the tree; tells <paramref name="host"/> <c>ready(tree, address)</c>, or <c>failed(error)</c>.</summary>
    public void Start(ActorSystem system, SupervisorSpec spec, string name, string childId, IActorRef host, Func<SupervisionTree, ChildAddress, object> ready, Func<Exception, object> failed)
    {
        _ = StartAsync();

        async Task StartAsync()
        {
            SupervisionTree? tree = null;
            try
            {
                tree = await system.StartTreeAsync(spec, new TreeOptions { Name = name, StopWithActorSystem = false, TimeProvider = Clock }).ConfigureAwait(false);
                var address = await tree.GetChildAsync(childId).ConfigureAwait(false);
                lock (_gate)
                {
                    if (!_hostStopped)
                    {
                        _tree = tree;
                        host.Tell(ready(tree, address));
                        return;
                    }
                }

                await tree.StopAsync().ConfigureAwait(false); // the host is gone: this tree must not run
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (tree is { Completion.IsCompleted: false })
                {
                    await tree.StopAsync().ConfigureAwait(false);
                }

                lock (_gate)
                {
                    if (!_hostStopped)
                    {
                        host.Tell(failed(e));
                    }
                }
            }
        }
    }

    /// <summary>Stops the tree (if it started) and completes when its root has terminated.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            _hostStopped = true;
            return _tree is { } tree ? tree.StopAsync() : Task.CompletedTask;
        }
    }
}
