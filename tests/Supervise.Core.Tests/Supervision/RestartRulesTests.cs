using Xunit;

namespace Supervise.Tests.Supervision;

public sealed class RestartRulesTests
{
    public static TheoryData<RestartType, string, bool> Matrix() => new()
    {
        { RestartType.Permanent, "normal", true },
        { RestartType.Permanent, "shutdown", true },
        { RestartType.Permanent, "failure", true },
        { RestartType.Transient, "normal", false },
        { RestartType.Transient, "shutdown", false },
        { RestartType.Transient, "failure", true },
        { RestartType.Temporary, "normal", false },
        { RestartType.Temporary, "shutdown", false },
        { RestartType.Temporary, "failure", false },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Restart_type_and_exit_reason_decide(RestartType restart, string exit, bool expected)
    {
        var reason = exit switch
        {
            "normal" => ExitReason.Normal,
            "shutdown" => ExitReason.ShutdownWith("x"),
            _ => ExitReason.Crash(new InvalidOperationException()),
        };

        Assert.Equal(expected, RestartRules.ShouldRestart(restart, reason));
    }

    [Theory]
    [InlineData(Strategy.OneForOne, 2, 5, 2, 3)]
    [InlineData(Strategy.OneForAll, 2, 5, 0, 5)]
    [InlineData(Strategy.RestForOne, 2, 5, 2, 5)]
    [InlineData(Strategy.RestForOne, 4, 5, 4, 5)]
    [InlineData(Strategy.RestForOne, 0, 1, 0, 1)]
    public void Blast_radius_is_otps(Strategy strategy, int failed, int count, int start, int end)
    {
        var range = RestartRules.BlastRadius(strategy, failed, count);

        Assert.Equal((start, end), (range.Start.GetOffset(count), range.End.GetOffset(count)));
    }

    [Fact]
    public void Blast_radius_refuses_an_index_outside_the_children()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RestartRules.BlastRadius(Strategy.OneForOne, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => RestartRules.BlastRadius(Strategy.OneForOne, -1, 3));
    }
}
