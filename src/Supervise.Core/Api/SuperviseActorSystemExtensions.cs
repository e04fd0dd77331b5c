using Akka.Actor;
using Supervise.Runtime;

namespace Supervise;

/// <summary>Starts supervision trees on an actor system.</summary>
public static class SuperviseActorSystemExtensions
{
    /// <summary>
    /// Validates the whole <paramref name="spec"/> and <paramref name="options"/>, then starts the tree:
    /// children in order, each fully started before the next.
    /// </summary>
    /// <exception cref="SpecValidationException">The spec or options are invalid; nothing was started.</exception>
    /// <exception cref="ChildStartException">A child failed to start; the ones started were stopped in reverse order, and the tree's name is free again.</exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled before the tree had started: the children that had started were
    /// stopped in reverse order, by their shutdown specs, before this is thrown, and the tree's name is free again.
    /// </exception>
    public static async Task<SupervisionTree> StartTreeAsync(this ActorSystem system, SupervisionSpec spec, TreeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        options ??= new TreeOptions();
        var problems = new List<SpecProblem>(ValidateOptions(options));
        problems.AddRange(SpecValidator.Validate(spec, string.IsNullOrWhiteSpace(options.Name) ? "root" : options.Name));
        if (problems.Count > 0)
        {
            throw new SpecValidationException(problems);
        }

        cancellationToken.ThrowIfCancellationRequested(); // nothing started yet
        var link = new RootLink();
        var runtime = new TreeRuntime(system, options);
        var root = TreeRegistry.For(system).CreateRoot(system, options.Name!, () => SupervisorProducer.Props(spec, runtime, options.Name!, link), link);
        runtime.Root = root;
        system.ActorOf(DeadLetterReporter.Props(root, options.Name!, runtime));
        try
        {
            await link.Started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Nobody would hold a handle to the tree: it stops (what started, in reverse order, by the shutdown specs), and
            // the call ends once it has, so that its name is free for the next start.
            link.Started.TrySetCanceled(cancellationToken); // nobody waits for it now: it must not fault unobserved
            root.Tell(new CancelStart(), ActorRefs.NoSender);
            await link.Stopped.Task.ConfigureAwait(false);
            throw;
        }
        catch (Exception) when (link.Started.Task.IsFaulted)
        {
            // The start failed: what started stops, in reverse order, by the shutdown specs; the call ends once the root has
            // stopped too, so that its name is free for the next start (a retry with the same name is not refused).
            await link.Stopped.Task.ConfigureAwait(false);
            throw;
        }

        var tree = new SupervisionTree(options.Name!, new SupervisorHandle(root, options.Name!, options.CallTimeout), link, runtime);
        if (options.StopWithActorSystem)
        {
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "supervise-" + options.Name, async () =>
            {
                await tree.StopAsync().ConfigureAwait(false);
                return Akka.Done.Instance;
            });
        }

        return tree;
    }

    private static IEnumerable<SpecProblem> ValidateOptions(TreeOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Name) || !ActorPath.IsValidPathElement(options.Name))
        {
            yield return new SpecProblem("options", "Name", "a non-empty name usable as an actor name", options.Name is null ? "null" : $"\"{options.Name}\"");
        }

        if (options.TimeProvider is null)
        {
            yield return new SpecProblem("options", "TimeProvider", "a time provider (TimeProvider.System by default)", "null");
        }

        if (options.CallTimeout <= TimeSpan.Zero || options.CallTimeout > PolicyChecks.MaxTimer)
        {
            yield return new SpecProblem("options", "CallTimeout", "a positive duration of at most 49 days", options.CallTimeout.ToString());
        }

        if (!Enum.IsDefined(options.OnRootGiveUp))
        {
            yield return new SpecProblem("options", "OnRootGiveUp", "StopTree or TerminateActorSystem", options.OnRootGiveUp.ToString());
        }
    }
}
