using Akka.Actor;
using Xunit;

namespace Supervise.Tests.Specs;

/// <summary>Every documented default.</summary>
public sealed class DefaultsTests
{
    [Fact]
    public void A_worker_spec_is_permanent_not_significant_with_a_five_second_shutdown()
    {
        var spec = ChildSpec.Worker("w", Props.Empty);

        Assert.Equal(RestartType.Permanent, spec.Restart);
        Assert.Equal(ChildKind.Worker, spec.Kind);
        Assert.False(spec.Significant);
        Assert.Null(spec.Shutdown);
        Assert.Null(spec.Supervisor);
        Assert.Equal(Criticality.Important, spec.Criticality);
        Assert.Equal(Shutdown.Timeout(TimeSpan.FromSeconds(5)), spec.EffectiveShutdown);
        Assert.Equal(ShutdownMode.Timeout, spec.EffectiveShutdown.Mode);
    }

    [Fact]
    public void A_supervisor_child_spec_waits_infinitely_on_shutdown()
    {
        var spec = ChildSpec.ForSupervisor("s", new SupervisorSpec());

        Assert.Equal(ChildKind.Supervisor, spec.Kind);
        Assert.Equal(Shutdown.Infinity, spec.EffectiveShutdown);
        Assert.Null(spec.Start);
        Assert.Equal(RestartType.Permanent, spec.Restart);
    }

    [Fact]
    public void An_explicit_shutdown_wins_over_the_default()
    {
        Assert.Equal(Shutdown.BrutalKill, (ChildSpec.Worker("w", Props.Empty) with { Shutdown = Shutdown.BrutalKill }).EffectiveShutdown);
    }

    [Fact]
    public void A_supervisor_spec_is_one_for_one_three_restarts_in_five_seconds_never_auto_shutdown()
    {
        var spec = new SupervisorSpec();

        Assert.Equal(Strategy.OneForOne, spec.Strategy);
        Assert.Equal(3, spec.Intensity);
        Assert.Equal(TimeSpan.FromSeconds(5), spec.Period);
        Assert.Equal(AutoShutdown.Never, spec.AutoShutdown);
        Assert.Empty(spec.Children);
        Assert.Equal(SupervisionSpec.DefaultIntensity, spec.Intensity);
        Assert.Equal(SupervisionSpec.DefaultPeriod, spec.Period);
    }

    [Fact]
    public void A_dynamic_supervisor_has_no_child_limit_and_permanent_worker_children()
    {
        var spec = new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty));

        Assert.Null(spec.MaxChildren);
        Assert.Equal(3, spec.Intensity);
        Assert.Equal(TimeSpan.FromSeconds(5), spec.Period);
        Assert.Equal(RestartType.Permanent, spec.Template.Restart);
        Assert.Equal(ChildKind.Worker, spec.Template.Kind);
        Assert.Equal(Criticality.Important, spec.Template.Criticality);
        Assert.Equal(Shutdown.DefaultWorker, spec.Template.EffectiveShutdown);
        Assert.Equal(Shutdown.Infinity, (spec.Template with { Kind = ChildKind.Supervisor }).EffectiveShutdown);
    }

    [Fact]
    public void Tree_options_default_to_the_system_clock_and_stopping_the_tree_only()
    {
        var options = new TreeOptions();

        Assert.Equal("supervise", options.Name);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Equal(RootGiveUp.StopTree, options.OnRootGiveUp);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CallTimeout);
        Assert.True(options.StopWithActorSystem);
    }

    [Fact]
    public void Exit_reasons_are_abnormal_only_for_failures()
    {
        Assert.False(ExitReason.Normal.IsAbnormal);
        Assert.False(ExitReason.Shutdown.IsAbnormal);
        Assert.False(ExitReason.ShutdownWith("bye").IsAbnormal);
        Assert.True(ExitReason.Failure("lost").IsAbnormal);
        Assert.True(ExitReason.Crash(new InvalidOperationException("x")).IsAbnormal);
        Assert.Equal("Shutdown(bye)", ExitReason.ShutdownWith("bye").ToString());
        Assert.Equal("Crash(InvalidOperationException: x)", ExitReason.Crash(new InvalidOperationException("x")).ToString());
    }

    [Fact]
    public void Shutdowns_describe_themselves()
    {
        Assert.Equal("BrutalKill", Shutdown.BrutalKill.ToString());
        Assert.Equal("Infinity", Shutdown.Infinity.ToString());
        Assert.Equal("Timeout(00:00:02)", Shutdown.Timeout(TimeSpan.FromSeconds(2)).ToString());
    }
}
