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
    /// <exception cref="ChildStartException">A child failed to start; the ones started were stopped in reverse order.</exception>
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

        var link = new RootLink();
        var runtime = new TreeRuntime(system, options);
        var root = TreeRegistry.For(system).CreateRoot(system, options.Name!, () => SupervisorProducer.Props(spec, runtime, options.Name!, link), link);
        system.ActorOf(DeadLetterReporter.Props(root, options.Name!, runtime));
        await link.Started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
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

        if (options.CallTimeout <= TimeSpan.Zero)
        {
            yield return new SpecProblem("options", "CallTimeout", "a positive duration", options.CallTimeout.ToString());
        }

        if (!Enum.IsDefined(options.OnRootGiveUp))
        {
            yield return new SpecProblem("options", "OnRootGiveUp", "StopTree or TerminateActorSystem", options.OnRootGiveUp.ToString());
        }
    }
}
