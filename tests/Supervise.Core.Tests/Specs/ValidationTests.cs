using Akka.Actor;
using Xunit;

namespace Supervise.Tests.Specs;

/// <summary>Every validation rule, with its exact message: where, what was expected, what was received.</summary>
public sealed class ValidationTests
{
    private static readonly ChildSpec Ok = ChildSpec.Worker("ok", Props.Empty);

    public static TheoryData<string, SupervisionSpec, string> Cases() => new()
    {
        { "negative intensity", new SupervisorSpec { Intensity = -1 }, "root: Intensity: expected a number of restarts of 0 or more, received -1" },
        { "zero period", new SupervisorSpec { Period = TimeSpan.Zero }, "root: Period: expected a positive duration, received 00:00:00" },
        { "negative period", new SupervisorSpec { Period = TimeSpan.FromSeconds(-1) }, "root: Period: expected a positive duration, received -00:00:01" },
        { "null children", new SupervisorSpec { Children = null! }, "root: Children: expected a list of child specs (empty is allowed), received null" },
        { "null child", new SupervisorSpec { Children = [Ok, null!] }, "root: Children[1]: expected a child spec, received null" },
        { "empty id", new SupervisorSpec { Children = [Ok with { Id = "" }] }, "root: Children[0].Id: expected a non-empty id, received \"\"" },
        { "null id", new SupervisorSpec { Children = [Ok with { Id = null! }] }, "root: Children[0].Id: expected a non-empty id, received null" },
        { "blank id", new SupervisorSpec { Children = [Ok with { Id = "  " }] }, "root: Children[0].Id: expected a non-empty id, received \"  \"" },
        { "bad actor name", new SupervisorSpec { Children = [Ok with { Id = "a/b" }] }, "root: Children[0] (\"a/b\").Id: expected an id usable as an actor name (letters, digits and -_.*$+:@&=,!~';, not starting with $), received \"a/b\"" },
        { "duplicate id", new SupervisorSpec { Children = [Ok, Ok] }, "root: Children[1].Id: expected an id unique among its siblings, received \"ok\", already the id of Children[0]" },
        { "null factory", new SupervisorSpec { Children = [Ok with { Start = null }] }, "root: Children[0] (\"ok\").Start: expected a props factory, received null" },
        { "factory and nested spec", new SupervisorSpec { Children = [Ok with { Supervisor = new SupervisorSpec(), Kind = ChildKind.Supervisor }] }, "root: Children[0] (\"ok\").Start: expected either a props factory or a nested supervisor spec, received both" },
        { "nested spec on a worker", new SupervisorSpec { Children = [ChildSpec.ForSupervisor("s", new SupervisorSpec()) with { Kind = ChildKind.Worker }] }, "root: Children[0] (\"s\").Kind: expected Supervisor for a child with a nested supervisor spec, received Worker" },
        { "significant permanent", new SupervisorSpec { AutoShutdown = AutoShutdown.AnySignificant, Children = [Ok with { Significant = true }] }, "root: Children[0] (\"ok\").Significant: expected significant children to be Transient or Temporary, received a significant Permanent child" },
        { "significant under never", new SupervisorSpec { Children = [Ok with { Significant = true, Restart = RestartType.Transient }] }, "root: Children[0] (\"ok\").Significant: expected no significant children under AutoShutdown.Never, received a significant child" },
        { "negative timeout", new SupervisorSpec { Children = [Ok with { Shutdown = Shutdown.Timeout(TimeSpan.FromMilliseconds(-1)) }] }, "root: Children[0] (\"ok\").Shutdown: expected a timeout from zero to 49 days (or BrutalKill, or Infinity to wait as long as it takes), received -00:00:00.0010000" },
        { "undefined restart", new SupervisorSpec { Children = [Ok with { Restart = (RestartType)9 }] }, "root: Children[0] (\"ok\").Restart: expected Permanent, Transient or Temporary, received 9" },
        { "undefined kind", new SupervisorSpec { Children = [Ok with { Kind = (ChildKind)9 }] }, "root: Children[0] (\"ok\").Kind: expected Worker or Supervisor, received 9" },
        { "undefined criticality", new SupervisorSpec { Children = [Ok with { Criticality = (Criticality)9 }] }, "root: Children[0] (\"ok\").Criticality: expected Critical, Important or Optional, received 9" },
        { "dynamic undefined criticality", new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty) { Criticality = (Criticality)9 }), "root: Template.Criticality: expected Critical, Important or Optional, received 9" },
        { "undefined strategy", new SupervisorSpec { Strategy = (Strategy)9 }, "root: Strategy: expected OneForOne, OneForAll or RestForOne, received 9" },
        { "undefined auto shutdown", new SupervisorSpec { AutoShutdown = (AutoShutdown)9 }, "root: AutoShutdown: expected Never, AnySignificant or AllSignificant, received 9" },
        { "nested problem", new SupervisorSpec { Children = [ChildSpec.ForSupervisor("db", new SupervisorSpec { Period = TimeSpan.Zero })] }, "root/db: Period: expected a positive duration, received 00:00:00" },
        { "dynamic max children", new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty)) { MaxChildren = 0 }, "root: MaxChildren: expected null (no limit) or 1 or more, received 0" },
        { "dynamic null template", new DynamicSupervisorSpec(null!), "root: Template: expected a child template, received null" },
        { "dynamic null factory", new DynamicSupervisorSpec(new ChildTemplate(null)), "root: Template.Start: expected a props factory, received null" },
        { "dynamic undefined restart", new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty) { Restart = (RestartType)9 }), "root: Template.Restart: expected Permanent, Transient or Temporary, received 9" },
        { "dynamic undefined kind", new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty) { Kind = (ChildKind)9 }), "root: Template.Kind: expected Worker (a template's factory makes plain actors; a nested supervisor is ChildSpec.ForSupervisor in a static spec), received 9" },
        // Past what a .NET timer waits (about 49.7 days): the stop itself would fail (issue 10).
        { "shutdown past the timer limit", new SupervisorSpec { Children = [Ok with { Shutdown = Shutdown.Timeout(TimeSpan.FromDays(60)) }] }, "root: Children[0] (\"ok\").Shutdown: expected a timeout from zero to 49 days (or BrutalKill, or Infinity to wait as long as it takes), received 60.00:00:00" },
        // A Supervisor child must be a Supervise supervisor: the health walk and GetSupervisorAsync ask it as one (issue 10).
        { "supervisor kind from props", new SupervisorSpec { Children = [Ok with { Kind = ChildKind.Supervisor }] }, "root: Children[0] (\"ok\").Kind: expected Worker for a child started from props (a nested supervisor is ChildSpec.ForSupervisor(id, spec)), received Supervisor" },
        { "dynamic supervisor kind", new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty) { Kind = ChildKind.Supervisor }), "root: Template.Kind: expected Worker (a template's factory makes plain actors; a nested supervisor is ChildSpec.ForSupervisor in a static spec), received Supervisor" },
        { "dynamic bad timeout", new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty) { Shutdown = Shutdown.Timeout(TimeSpan.FromSeconds(-2)) }), "root: Template.Shutdown: expected a timeout from zero to 49 days (or BrutalKill, or Infinity to wait as long as it takes), received -00:00:02" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_reports_where_what_was_expected_and_what_was_received(string rule, SupervisionSpec spec, string message)
    {
        var problems = spec.Validate();

        Assert.True(problems.Count == 1, $"{rule}: expected one problem, got: {string.Join(" | ", problems)}");
        Assert.Equal(message, problems[0].ToString());
    }

    [Fact]
    public void A_valid_tree_has_no_problems()
    {
        var spec = new SupervisorSpec
        {
            AutoShutdown = AutoShutdown.AllSignificant,
            Children =
            [
                Ok,
                ChildSpec.Worker("t", Props.Empty) with { Restart = RestartType.Transient, Significant = true },
                ChildSpec.ForSupervisor("dyn", new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty)) { MaxChildren = 10 }),
            ],
        };

        Assert.Empty(spec.Validate());
        spec.EnsureValid();
    }

    [Fact]
    public void Every_problem_in_the_tree_is_in_one_exception()
    {
        var spec = new SupervisorSpec
        {
            Intensity = -2,
            Children =
            [
                Ok,
                Ok,
                ChildSpec.ForSupervisor("inner", new SupervisorSpec { Period = TimeSpan.Zero, Children = [Ok with { Start = null }] }),
            ],
        };

        var error = Assert.Throws<SpecValidationException>(() => spec.EnsureValid("app"));

        Assert.Equal(4, error.Problems.Count);
        Assert.Equal(["app", "app", "app/inner", "app/inner"], error.Problems.Select(p => p.Path));
        Assert.StartsWith("The supervision spec has 4 problems:", error.Message, StringComparison.Ordinal);
        Assert.Contains("  - app/inner: Children[0] (\"ok\").Start: expected a props factory, received null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_problem_says_so_in_the_singular()
    {
        var error = Assert.Throws<SpecValidationException>(() => new SupervisorSpec { Intensity = -1 }.EnsureValid());

        Assert.StartsWith("The supervision spec has 1 problem:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_tree_options_are_reported_with_the_spec_problems()
    {
        var system = ActorSystem.Create("options-test");
        try
        {
            var options = new TreeOptions { Name = "", CallTimeout = TimeSpan.Zero, TimeProvider = null!, OnRootGiveUp = (RootGiveUp)7 };

            var error = await Assert.ThrowsAsync<SpecValidationException>(() => system.StartTreeAsync(new SupervisorSpec { Intensity = -1 }, options));

            Assert.Equal(
                [
                    "options: Name: expected a non-empty name usable as an actor name, received \"\"",
                    "options: TimeProvider: expected a time provider (TimeProvider.System by default), received null",
                    "options: CallTimeout: expected a positive duration of at most 49 days, received 00:00:00",
                    "options: OnRootGiveUp: expected StopTree or TerminateActorSystem, received 7",
                    "root: Intensity: expected a number of restarts of 0 or more, received -1",
                ],
                error.Problems.Select(p => p.ToString()));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_null_spec_is_a_problem_not_a_crash()
    {
        var system = ActorSystem.Create("null-spec-test");
        try
        {
            var error = await Assert.ThrowsAsync<SpecValidationException>(() => system.StartTreeAsync(null!));

            Assert.Equal("supervise: spec: expected a supervisor spec, received null", error.Problems.Single().ToString());
        }
        finally
        {
            await system.Terminate();
        }
    }
}
