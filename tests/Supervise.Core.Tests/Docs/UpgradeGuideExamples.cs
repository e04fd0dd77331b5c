using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Supervise.Tests.Docs;

// The code of docs/concepts/upgrades.md. Each ```csharp block in that page is a verbatim excerpt of
// this file (DocSnippetTests checks it), so the page's examples compile and run as tests.
public sealed class UpgradeGuideExamples : IDisposable
{
    private readonly Akka.TestKit.Xunit2.TestKit _kit = new("akka.loglevel = OFF");
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _kit.Dispose();

    /// <summary>A trading gateway; version 2 needs position tracking, which this deployment lacks, so it fails its start.</summary>
    public sealed class Gateway : ReceiveActor
    {
        public Gateway(bool positionTracking)
        {
            if (!positionTracking)
            {
                throw new InvalidOperationException("v2 needs position tracking");
            }

            ReceiveAny(_ => Sender.Tell("accepted"));
        }
    }

    [Fact]
    public async Task A_canary_that_fails_rolls_the_fleet_back()
    {
        // A fleet of four gateways at version 1.
        static ChildSpec Gateway(int i, string version, bool tracking) =>
            ChildSpec.Worker($"gw{i}", Props.Create(() => new Gateway(tracking))) with { Version = version };

        var v1 = new SupervisorSpec { Children = [.. Enumerable.Range(1, 4).Select(i => Gateway(i, "1", tracking: true))] };
        var tree = await _kit.Sys.StartTreeAsync(v1, new TreeOptions { Name = "fleet", TimeProvider = _time });

        // Version 2, given a configuration without position tracking.
        var v2 = v1 with { Children = [.. Enumerable.Range(1, 4).Select(i => Gateway(i, "2", tracking: false))] };
        var plan = await tree.Root.PlanUpgradeAsync(v2);   // the dry run: "replace gw1: 1 → 2", ...

        var result = await tree.Root.UpgradeAsync(v2, new UpgradeOptions
        {
            CanaryCount = 1,                             // gw1 goes first, alone
            WatchWindow = TimeSpan.FromSeconds(30),      // and is watched before the rest
            OnFailure = UpgradeFailureAction.RollBack,   // the default
        });

        // gw1 failed to start on version 2: it runs version 1 again, and gw2..gw4 were never touched.
        var rolledBack = (UpgradeResult.RolledBack)result;
        Assert.StartsWith("gw1: its new spec failed to start", rolledBack.Failure);
        Assert.Equal(["gw1"], rolledBack.Restored);
        Assert.Equal(4, plan.Steps.Count);
        await tree.StopAsync();
    }
}
