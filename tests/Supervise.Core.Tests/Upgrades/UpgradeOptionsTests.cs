using Xunit;

namespace Supervise.Tests.Upgrades;

/// <summary>Upgrade options: their defaults, and every bad value named with what was expected.</summary>
public sealed class UpgradeOptionsTests
{
    [Fact]
    public void The_defaults_are_a_canary_of_one_watched_for_five_seconds_one_child_out_at_a_time_and_a_rollback_on_failure()
    {
        var options = new UpgradeOptions();

        Assert.Equal((1, TimeSpan.FromSeconds(5), 1, TimeSpan.Zero, UpgradeFailureAction.RollBack, 1_000), (options.CanaryCount, options.WatchWindow, options.MaxOutOfService, options.PauseBetweenSteps, options.OnFailure, options.BufferWhileReplaced));
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("CanaryCount", "-1", "a count of 0 or more")]
    [InlineData("MaxOutOfService", "0", "a count of 1 or more")]
    [InlineData("BufferWhileReplaced", "-1", "a count of 0 or more")]
    [InlineData("WatchWindow", "-00:00:01", "a duration from zero to 49 days")]
    [InlineData("WatchWindow", "60.00:00:00", "a duration from zero to 49 days")]
    [InlineData("PauseBetweenSteps", "-00:00:01", "a duration from zero to 49 days")]
    [InlineData("OnFailure", "7", "RollBack, Stop or Continue")]
    public void A_bad_value_is_named_with_what_was_expected(string field, string value, string expected)
    {
        var options = field switch
        {
            "CanaryCount" => new UpgradeOptions { CanaryCount = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "MaxOutOfService" => new UpgradeOptions { MaxOutOfService = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "BufferWhileReplaced" => new UpgradeOptions { BufferWhileReplaced = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "WatchWindow" => new UpgradeOptions { WatchWindow = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "PauseBetweenSteps" => new UpgradeOptions { PauseBetweenSteps = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            _ => new UpgradeOptions { OnFailure = (UpgradeFailureAction)int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
        };

        var problem = Assert.Single(options.Validate());
        Assert.Equal(("upgrade options", field), (problem.Path, problem.Field));
        Assert.StartsWith(expected, problem.Expected, StringComparison.Ordinal);
        Assert.Equal(value, problem.Received);
    }
}
