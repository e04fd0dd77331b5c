using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
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
internal sealed partial class SuperviseHostedService : IHostedService, IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly SuperviseBuilder _builder;
    private readonly SuperviseTrees _trees;
    private readonly SuperviseMetrics _metrics;
    private readonly ILogger<SuperviseHostedService> _log;
    private readonly List<SupervisionTree> _started = [];
    private Task? _stoppingTrees;
    private readonly CancellationTokenSource _stopCancel = new();
    private ActorSystem? _ownSystem;
    private ActorSystem? _system;
    private IActorRef? _eventLog;
    private ConfigurationReload? _reload;

    /// <summary>The trees started, in order.</summary>
    private List<SupervisionTree> RunningTrees()
    {
        lock (_started)
        {
            return _started.ToList();
        }
    }

    public SuperviseHostedService(IServiceProvider services, SuperviseBuilder builder, SuperviseTrees trees, SuperviseMetrics metrics, ILogger<SuperviseHostedService> log)
    {
        _services = services;
        _builder = builder;
        _trees = trees;
        _metrics = metrics;
        _log = log;
        // Read now: the services may be disposed by the time it is needed (DisposeAsync).
        ShutdownTimeout = services.GetService<IOptions<HostOptions>>()?.Value.ShutdownTimeout ?? TimeSpan.FromSeconds(30);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Validated with the options (SuperviseOptionsValidator, on the host's start): made once, every problem at once.
        var (options, plan) = _services.GetRequiredService<SupervisePlan>().Made(_services.GetRequiredService<IOptions<SuperviseOptions>>().Value);
        foreach (var disabled in _builder.Trees.Select(t => t.Name).Except(plan.Select(p => p.Name)))
        {
            _trees.Disabled(disabled);
        }

        // Readiness fails as soon as the host begins to stop (the trees stop after that, one after the other).
        _trees.StopsWith(_services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None);

        try
        {
            var shared = _services.GetService<IServiceProviderIsService>()?.IsService(typeof(ActorSystem)) == true;
            ActorSystem system;
            if (shared)
            {
                system = _services.GetRequiredService<ActorSystem>();
                WarnAboutIgnoredSettings(options, system);
            }
            else
            {
                // Akka.NET's own log events go to the host's logging too, through Akka.Hosting's logger-factory bridge.
                var config = HostDrivenShutdown.Config.WithFallback(_builder.AkkaConfig ?? Config.Empty).WithFallback(LogsToLoggerFactory);
                system = _ownSystem = ActorSystem.Create(options.ActorSystemName, BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(LoggerFactory)));
            }

            _system = system;
            _trees.Attached(system);
            // Supervision events through ILogger: every logging provider of the host gets them.
            _eventLog = SupervisionEventLog.Start(system, LoggerFactory.CreateLogger(SupervisionEventLog.Category), _metrics.Strategies);

            _metrics.Attach(system);
            foreach (var (name, spec, treeOptions) in plan)
            {
                _metrics.Strategies.Add(name, spec);
                // The host stops the trees in order (below); a coordinated shutdown of the actor system does the same.
                var tree = await system.StartTreeAsync(spec, treeOptions with { StopWithActorSystem = false }, cancellationToken).ConfigureAwait(false);
                bool late;
                lock (_started)
                {
                    _started.Add(tree);
                    late = _stoppingTrees is not null;
                }

                if (late)
                {
                    // The stop began while this tree was starting: the stop's list did not have it, so it stops here.
                    await StopOneAsync(tree).ConfigureAwait(false);
                    return;
                }

                _trees.Started(system, tree);
                _metrics.Track(tree);
                LogTreeStarted(name, spec.GetType().Name);
            }

            // A reload of the configuration upgrades the running trees to it (or is refused, and logged).
            if (_services.GetService<SuperviseConfigurationSection>() is { } section)
            {
                _reload = new ConfigurationReload(section, _services.GetRequiredService<SupervisePlan>(), RunningTrees, _builder.UpgradeOnReload, _log, _stopCancel.Token);
            }

            // Without the host (a cluster that downs this node, a coordinated shutdown run by hand): the same stop in order.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "supervise-trees", async () =>
            {
                await StopTreesAsync().ConfigureAwait(false);
                return Akka.Done.Instance;
            });

            foreach (var path in _builder.Addresses.Where(p => _trees.TryGet(p.Split('/')[0], out _)))
            {
                await _trees.ResolveAsync(path).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // A tree that cannot start stops the host: the ones already started stop first, in reverse,
            // within the host's shutdown timeout.
            LogStartFailed(e);
            using var timeout = new CancellationTokenSource(ShutdownTimeout);
            await StopAsync(timeout.Token).ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _reload?.Dispose(); // no upgrade begins once the host stops

        // Whoever began the stop (the host, or a coordinated shutdown), the host's deadline bounds it.
        using (cancellationToken.Register(static cancel => ((CancellationTokenSource)cancel!).Cancel(), _stopCancel))
        {
            await StopTreesAsync().ConfigureAwait(false);
        }

        if (_system is { } system)
        {
            _metrics.Detach(system);
            _system = null;
        }

        _eventLog?.Tell(PoisonPill.Instance);
        _eventLog = null;
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

    /// <summary>
    /// Stops the trees in reverse start order, each awaited before the next. The host and a coordinated shutdown of the
    /// actor system share this one stop; past the first deadline any caller gives (the host's shutdown timeout), the rest
    /// are only asked to stop (their supervisors still stop their children in order).
    /// </summary>
    private Task StopTreesAsync()
    {
        lock (_started)
        {
            return _stoppingTrees ??= StopInOrderAsync([.. _started]);
        }
    }

    private async Task StopInOrderAsync(List<SupervisionTree> trees)
    {
        await Task.Yield(); // the caller's lock is released first
        for (var i = trees.Count - 1; i >= 0; i--)
        {
            await StopOneAsync(trees[i]).ConfigureAwait(false);
        }
    }

    private async Task StopOneAsync(SupervisionTree tree)
    {
        try
        {
            var outcome = await tree.StopAsync(_stopCancel.Token).ConfigureAwait(false);
            LogTreeStopped(tree.Name, outcome.Reason);
        }
        catch (OperationCanceledException)
        {
            LogTreeStopTimedOut(tree.Name);
        }
        catch (Exception e)
        {
            LogTreeStopFailed(e, tree.Name);
        }

        _metrics.Untrack(tree.Name);
    }

    /// <summary>If the host never stopped this service (another one failed to start), the actor system it created goes with the container.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!(_system is null && _ownSystem is null && (_stoppingTrees is not null || _started.Count == 0)))
        {
            using var timeout = new CancellationTokenSource(ShutdownTimeout);
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }

        _stopCancel.Dispose();
    }

    private TimeSpan ShutdownTimeout { get; }

    /// <summary>With the services' actor system, what configures one Supervise would create does not apply: said, not ignored silently.</summary>
    private void WarnAboutIgnoredSettings(SuperviseOptions options, ActorSystem system)
    {
        if (_builder.AkkaConfig is not null)
        {
            LogIgnored("WithAkkaConfig", system.Name);
        }

        if (options.ActorSystemName != new SuperviseOptions().ActorSystemName)
        {
            LogIgnored($"ActorSystemName '{options.ActorSystemName}'", system.Name);
        }

        if (HostDrivenShutdown.HookIsOn(system))
        {
            LogShutdownHookOn(system.Name, HostDrivenShutdown.HookSetting);
        }
    }

    /// <summary>Akka.NET's logging in the actor system Supervise makes, unless <c>WithAkkaConfig</c> says otherwise.</summary>
    private static readonly Config LogsToLoggerFactory = ConfigurationFactory.ParseString("akka.loggers = [\"Akka.Hosting.Logging.LoggerFactoryLogger, Akka.Hosting\"]");

    private ILoggerFactory LoggerFactory => _services.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Supervise started tree {Tree} ({SpecKind})")]
    private partial void LogTreeStarted(string tree, string specKind);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Supervise stopped tree {Tree} ({Reason})")]
    private partial void LogTreeStopped(string tree, TreeStopReason reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Supervise tree {Tree} did not stop within the host's shutdown timeout")]
    private partial void LogTreeStopTimedOut(string tree);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Supervise could not start; what it started is stopped")]
    private partial void LogStartFailed(Exception error);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Supervise tree {Tree} failed to stop")]
    private partial void LogTreeStopFailed(Exception error, string tree);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Supervise runs in the services' actor system {System}: {Setting} does not apply to it")]
    private partial void LogIgnored(string setting, string system);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Supervise runs in the services' actor system {System}, whose CLR shutdown hook is on: Ctrl+C or SIGTERM stops every tree at once, before the host stops them in order. Call AddAkka before AddSupervise (Supervise then turns it off), or set {Setting} = off")]
    private partial void LogShutdownHookOn(string system, string setting);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Supervise's actor system {System} did not terminate within the host's shutdown timeout")]
    private partial void LogSystemStopTimedOut(string system);
}
