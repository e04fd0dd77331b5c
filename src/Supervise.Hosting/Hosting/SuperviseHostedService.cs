using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Supervise.Hosting;

/// <summary>
/// Starts Supervise with the host: validates the options and every tree's spec (all problems at once), then
/// the actor system (the services' own, or one it creates), then the trees in the order declared; stops
/// them in reverse within the host's shutdown timeout, then the actor system it created.
/// </summary>
internal sealed partial class SuperviseHostedService : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly SuperviseBuilder _builder;
    private readonly SuperviseTrees _trees;
    private readonly SuperviseMetrics _metrics;
    private readonly ILogger<SuperviseHostedService> _log;
    private readonly List<SupervisionTree> _started = [];
    private ActorSystem? _ownSystem;
    private IActorRef? _eventLog;

    public SuperviseHostedService(IServiceProvider services, SuperviseBuilder builder, SuperviseTrees trees, SuperviseMetrics metrics, ILogger<SuperviseHostedService> log)
    {
        _services = services;
        _builder = builder;
        _trees = trees;
        _metrics = metrics;
        _log = log;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (options, plan) = Validate();
        var system = _services.GetService<IServiceProviderIsService>()?.IsService(typeof(ActorSystem)) == true
            ? _services.GetRequiredService<ActorSystem>()
            : _ownSystem = ActorSystem.Create(options.ActorSystemName, AkkaConfig());
        _trees.Attached(system);
        if (_builder.UsesSerilog)
        {
            _eventLog = SupervisionEventLog.Start(system, _builder.SerilogLogger, _metrics.Strategies);
        }

        _metrics.Attach(system);
        try
        {
            foreach (var (name, spec, treeOptions) in plan)
            {
                _metrics.Strategies.Add(name, spec);
                var tree = await system.StartTreeAsync(spec, treeOptions, cancellationToken).ConfigureAwait(false);
                _started.Add(tree);
                _trees.Started(system, tree);
                _metrics.Track(tree);
                LogTreeStarted(name, spec.GetType().Name);
            }
        }
        catch
        {
            // A tree that cannot start stops the host: the ones already started stop first, in reverse.
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            var tree = _started[i];
            try
            {
                var outcome = await tree.StopAsync(cancellationToken).ConfigureAwait(false);
                LogTreeStopped(tree.Name, outcome.Reason);
            }
            catch (OperationCanceledException)
            {
                LogTreeStopTimedOut(tree.Name);
            }

            _metrics.Untrack(tree.Name);
        }

        _started.Clear();
        _eventLog?.Tell(PoisonPill.Instance);
        if (_ownSystem is { } own)
        {
            _ownSystem = null;
            try
            {
                await own.Terminate().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                LogSystemStopTimedOut(own.Name);
            }
        }
    }

    private Config AkkaConfig()
    {
        var config = _builder.AkkaConfig ?? Config.Empty;
        return _builder.UsesSerilog ? config.WithSerilog(_builder.SerilogLogger) : config;
    }

    /// <summary>The options and every tree's spec and options as they will start; every problem found, at once.</summary>
    private (SuperviseOptions Options, List<(string Name, SupervisionSpec Spec, TreeOptions Options)> Plan) Validate()
    {
        var problems = new List<string>();
        if (_services.GetService<SuperviseConfigurationSection>() is { } section)
        {
            problems.AddRange(section.Problems());
            if (problems.Count > 0)
            {
                // What the binder made of a section with typos is not worth checking further.
                throw new SuperviseConfigurationException(problems);
            }
        }

        SuperviseOptions options;
        try
        {
            options = _services.GetRequiredService<IOptions<SuperviseOptions>>().Value;
        }
        catch (InvalidOperationException e)
        {
            // A value of the wrong type in configuration: the binder names the key and the value.
            throw new SuperviseConfigurationException([$"Supervise: {e.Message}"]);
        }

        if (string.IsNullOrWhiteSpace(options.ActorSystemName) || !options.ActorSystemName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            problems.Add($"Supervise:ActorSystemName: expected letters, digits, '-' or '_', received '{options.ActorSystemName}'");
        }

        var declared = _builder.Trees.Select(t => t.Name).ToList();
        foreach (var name in options.Trees.Keys.Where(k => !declared.Contains(k, StringComparer.Ordinal)))
        {
            problems.Add($"Supervise:Trees:{name}: expected the name of a tree declared in code ({string.Join(", ", declared)}), received '{name}'");
        }

        var plan = new List<(string, SupervisionSpec, TreeOptions)>();
        foreach (var tree in _builder.Trees)
        {
            var settings = options.Trees.GetValueOrDefault(tree.Name) ?? new TreeSettings();
            var at = $"Supervise:Trees:{tree.Name}";
            if (!settings.Enabled)
            {
                continue;
            }

            SupervisionSpec spec;
            try
            {
                spec = tree.Spec(_services) ?? throw new InvalidOperationException("the spec factory returned null");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{tree.Name}: its spec could not be made: {e.GetType().Name}: {e.Message}");
                continue;
            }

            if (settings.Intensity is { } intensity)
            {
                if (intensity < 0)
                {
                    problems.Add($"{at}:Intensity: expected 0 or more restarts, received {intensity}");
                }
                else
                {
                    spec = spec with { Intensity = intensity };
                }
            }

            if (settings.Period is { } period)
            {
                if (period <= TimeSpan.Zero)
                {
                    problems.Add($"{at}:Period: expected a positive time span, received {period}");
                }
                else
                {
                    spec = spec with { Period = period };
                }
            }

            if (settings.Strategy is { } strategy)
            {
                if (spec is SupervisorSpec s)
                {
                    spec = s with { Strategy = strategy };
                }
                else
                {
                    problems.Add($"{at}:Strategy: expected no strategy for a dynamic supervisor (its children are alike), received {strategy}");
                }
            }

            var treeOptions = new TreeOptions { Name = tree.Name };
            treeOptions = tree.Options?.Invoke(treeOptions) ?? treeOptions;
            if (settings.CallTimeout is { } callTimeout)
            {
                if (callTimeout <= TimeSpan.Zero)
                {
                    problems.Add($"{at}:CallTimeout: expected a positive time span, received {callTimeout}");
                }

                treeOptions = treeOptions with { CallTimeout = callTimeout };
            }

            if (treeOptions.Name != tree.Name)
            {
                problems.Add($"{tree.Name}: TreeOptions.Name: expected '{tree.Name}' (the name it was declared with), received '{treeOptions.Name}'");
            }

            problems.AddRange(spec.Validate(tree.Name).Select(p => p.ToString()));
            plan.Add((tree.Name, spec, treeOptions));
        }

        if (problems.Count > 0)
        {
            throw new SuperviseConfigurationException(problems);
        }

        return (options, plan);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Supervise started tree {Tree} ({SpecKind})")]
    private partial void LogTreeStarted(string tree, string specKind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Supervise stopped tree {Tree} ({Reason})")]
    private partial void LogTreeStopped(string tree, TreeStopReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Supervise tree {Tree} did not stop within the host's shutdown timeout")]
    private partial void LogTreeStopTimedOut(string tree);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Supervise's actor system {System} did not terminate within the host's shutdown timeout")]
    private partial void LogSystemStopTimedOut(string system);
}
