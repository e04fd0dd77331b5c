using Supervise.Supervision;
using Xunit;

namespace Supervise.Tests.Supervision;

/// <summary>OTP's <c>auto_shutdown</c> (supervisor docs, "Automatic Shutdown"), as a table.</summary>
public sealed class AutoShutdownRuleTests
{
    [Theory]
    [InlineData(AutoShutdown.Never, new bool[0], false)]
    [InlineData(AutoShutdown.Never, new[] { false, false }, false)]
    [InlineData(AutoShutdown.AnySignificant, new[] { false, true }, true)]
    [InlineData(AutoShutdown.AnySignificant, new[] { false }, true)]
    [InlineData(AutoShutdown.AllSignificant, new[] { false, true }, false)]
    [InlineData(AutoShutdown.AllSignificant, new[] { false, false }, true)]
    [InlineData(AutoShutdown.AllSignificant, new[] { false }, true)]
    public void A_significant_childs_exit_shuts_the_supervisor_down_by_its_mode(AutoShutdown mode, bool[] significantRunning, bool expected)
    {
        Assert.Equal(expected, AutoShutdownRule.ShutsDown(mode, significantRunning));
    }
}
