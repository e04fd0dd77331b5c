using Supervise.Samples.Tour;
using Xunit;

namespace Supervise.Samples.Tests;

public sealed class TourSampleTests
{
    [Fact]
    public async Task The_tour_crashes_heals_escalates_and_stops_in_order()
    {
        using var output = new StringWriter();

        var exit = await TourSample.RunAsync(output);

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("processor handled job 3 (1 since its last start)", text, StringComparison.Ordinal);
        Assert.Contains("GAVE UP     shop/payments", text, StringComparison.Ordinal);
        Assert.Contains("restarted   shop/payments (restart 1 of 3", text, StringComparison.Ordinal);
        Assert.Contains("processor handled job 6 (1 since its last start)", text, StringComparison.Ordinal);
        Assert.Contains("ledger handled job 7 (2 since its last start)", text, StringComparison.Ordinal);
        Assert.Contains("The tree stopped: Stopped.", text, StringComparison.Ordinal);
    }
}
