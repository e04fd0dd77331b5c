using Supervise.Samples.Cli;
using Supervise.Samples.Common;
using Xunit;

namespace Supervise.Samples.Tests;

/// <summary>Options a sample does not take are refused, not ignored; plain log lines stay one line each.</summary>
public sealed class OptionsAndLinesTests
{
    [Theory]
    [InlineData("--faults-per-second: cluster takes no fault rate (the cluster sample's one fault is scripted", "cluster", "--faults-per-second", "2")]
    [InlineData("--faults-per-second: tour takes no fault rate", "tour", "--faults-per-second", "2")]
    [InlineData("--faults-per-second: tour takes no fault rate", "--faults-per-second", "2")] // the tour, unnamed
    [InlineData("--duration: tour takes no duration (the tour runs its seven steps, then ends)", "tour", "--duration", "5s")]
    public void An_option_the_sample_does_not_take_is_refused_saying_why(string message, params string[] args)
    {
        var errors = SamplesCli.Check(args);

        Assert.Contains(errors, e => e.StartsWith(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("telecom", "--faults-per-second", "2")]
    [InlineData("cluster", "--duration", "9s")]
    [InlineData("telecom", "--faults-per-second", "0.5", "--seed", "-3")]
    public void The_options_a_sample_takes_are_accepted(params string[] args) => Assert.Empty(SamplesCli.Check(args));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("said \"no\"", "said \\\"no\\\"")]
    [InlineData("C:\\temp", "C:\\\\temp")]
    [InlineData("line one\nline two\r\n", "line one\\nline two\\r\\n")]
    public void A_quoted_value_cannot_end_its_quotes_or_split_its_line(string value, string quoted) => Assert.Equal(quoted, PlainView.Quote(value));

    [Fact]
    public async Task A_moment_with_a_quote_and_a_line_break_is_one_line()
    {
        using var output = new StringWriter();
        var view = new PlainView(output);
        await using (view)
        {
            view.Start("test", 1);
            view.Feed(new Moment(TimeSpan.FromSeconds(1), MomentKind.Crash, "a/b", "it said \"boom\"\n   at Somewhere()", null));
            await view.FinishAsync(new SampleOutcome(true, "x", [], []), null);
        }

        var line = Assert.Single(output.ToString().Split('\n'), l => l.Contains("kind=crash", StringComparison.Ordinal));
        Assert.EndsWith("detail=\"it said \\\"boom\\\"\\n   at Somewhere()\"", line.TrimEnd('\r'), StringComparison.Ordinal);
    }
}
