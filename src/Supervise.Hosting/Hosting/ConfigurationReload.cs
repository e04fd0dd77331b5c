using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Supervise.Hosting;

/// <summary>
/// A running tree bound to configuration upgrades itself when the configuration is reloaded: the section is checked and every
/// tree's spec made again by its factory (so a spec may read its versions from configuration), then each running tree is
/// upgraded to it through a live upgrade (<see cref="SupervisorHandle.UpgradeAsync"/>: its plan, canary, watch and rollback).
/// A reload with problems is refused and logged with every problem; the running trees stay as they are. Reloads run one at a
/// time, in order.
/// </summary>
internal sealed partial class ConfigurationReload : IDisposable
{
    private readonly SupervisePlan _plan;
    private readonly UpgradeOptions _options;
    private readonly Func<IReadOnlyList<SupervisionTree>> _trees;
    private readonly ILogger _log;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly IDisposable _subscription;

    public ConfigurationReload(SuperviseConfigurationSection section, SupervisePlan plan, Func<IReadOnlyList<SupervisionTree>> trees, UpgradeOptions options, ILogger log, CancellationToken stopping)
    {
        _options = options;
        _plan = plan;
        _trees = trees;
        _log = log;
        _stopping = stopping;
        _subscription = ChangeToken.OnChange(section.ReloadToken, () => _ = ReloadAsync());
    }

    /// <summary>Checks the configuration as it reads now and upgrades each running tree to it.</summary>
    public async Task ReloadAsync()
    {
        await _oneAtATime.WaitAsync(_stopping).ConfigureAwait(false);
        try
        {
            var (plan, problems) = _plan.Remake();
            if (plan is null)
            {
                LogRefused(problems.Count, string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
                return;
            }

            foreach (var tree in _trees())
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                if (plan.Find(p => p.Name == tree.Name) is not { Spec: { } spec })
                {
                    LogNeedsRestart(tree.Name, "it is disabled in the configuration now");
                    continue;
                }

                var result = await tree.Root.UpgradeAsync(spec, _options, _stopping).ConfigureAwait(false);
                if (!result.Plan.IsEmpty || result is not UpgradeResult.Completed)
                {
                    LogUpgraded(tree.Name, result);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SupervisorUnavailableException)
        {
            // The host is stopping, or the tree stopped meanwhile: nothing to upgrade.
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _subscription.Dispose();

    [LoggerMessage(EventId = 1109, Level = LogLevel.Error, Message = "Supervise refused the reloaded configuration ({ProblemCount} problem(s)); the running trees stay as they are:\n{Problems}")]
    private partial void LogRefused(int problemCount, string problems);

    private void LogUpgraded(string tree, UpgradeResult result)
    {
        if (_log.IsEnabled(LogLevel.Information))
        {
            var outcome = SupervisionEventLog.UpgradeOutcome(result);
            LogUpgradedTree(tree, outcome);
        }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Supervise upgraded tree {Tree} to the reloaded configuration: {Outcome}")]
    private partial void LogUpgradedTree(string tree, string outcome);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Supervise tree {Tree} keeps running as it is after the reload: {Why} (a restart of the host applies it)")]
    private partial void LogNeedsRestart(string tree, string why);
}
