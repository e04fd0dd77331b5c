using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Spectre.Console;
using Supervise.Samples.Common;

namespace Supervise.Samples.Cli;

/// <summary>The samples executable's command line: one sub-command per sample, the tour when none is given.</summary>
internal static class SamplesCli
{
    public static IReadOnlyList<ISample> Samples { get; } = [new Tour.TourSample(), new Rewards.RewardsSample(), new Trading.TradingSample(), new Telecom.TelecomSample(), new Web.WebSample(), new ClusterDemo.ClusterSample()];

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken = default) =>
        Command(output, interactive).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);

    /// <summary>
    /// What <paramref name="args"/> would be refused for, without running anything: empty when they name a
    /// sample and options it takes (the docs' command lines are checked with this).
    /// </summary>
    public static IReadOnlyList<string> Check(string[] args) =>
        Command(TextWriter.Null, interactive: false).Parse(args).Errors.Select(e => e.Message).ToList();

    private static RootCommand Command(TextWriter output, bool interactive)
    {
        var seed = new Option<int?>("--seed") { Description = "Drives every random choice; printed at the start of each run, so a run can be repeated.", Recursive = true };
        var duration = new Option<TimeSpan?>("--duration") { Description = "How long the sample runs, for example 30s, 2m or 500ms (default: the sample's own).", Recursive = true, CustomParser = ParseDuration };
        var faults = new Option<double?>("--faults-per-second") { Description = "How often the fault injector strikes, on average; 0 turns it off (default: the sample's own).", Recursive = true };
        faults.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } f && (f < 0 || double.IsNaN(f) || double.IsInfinity(f)))
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"--faults-per-second: expected 0 or more, received {f}."));
            }
        });
        var noLive = new Option<bool>("--no-live") { Description = "Plain structured log lines instead of the live view (for logs, tests and terminals without a live display).", Recursive = true };
        var report = new Option<string?>("--report") { Description = "Writes the run's report to this file: JSON, or HTML with a timeline when the name ends in .html.", Recursive = true };
        report.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is not { } path)
            {
                return;
            }

            var extension = Path.GetExtension(path).ToLowerInvariant();
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (extension is not (".json" or ".html"))
            {
                r.AddError($"--report: expected a file name ending in .json or .html, received '{path}'.");
            }
            else if (directory is not null && !Directory.Exists(directory))
            {
                r.AddError($"--report: expected a file in an existing directory, received '{path}' ({directory} does not exist).");
            }
        });

        // For the README's picture: runs the live view off-screen and draws the frame at 60 % of the run as SVG.
        var snapshot = new Option<string?>("--snapshot") { Description = "Draws the live view, at 60 % of the run, as an SVG picture.", Recursive = true, Hidden = true };
        var root = new RootCommand("Supervise samples: see fault tolerance happen. Without a sample name, the tour runs.");
        foreach (var option in new Option[] { seed, duration, faults, noLive, report, snapshot })
        {
            root.Options.Add(option);
        }

        Command Bind(Command command, ISample sample)
        {
            command.SetAction((parsed, ct) => RunSampleAsync(
                sample,
                new SampleSettings(parsed.GetValue(seed), parsed.GetValue(duration), parsed.GetValue(faults), !parsed.GetValue(noLive), parsed.GetValue(report)),
                output,
                interactive,
                parsed.GetValue(snapshot),
                ct));
            return command;
        }

        foreach (var sample in Samples)
        {
            root.Subcommands.Add(Bind(new Command(sample.Name, sample.Summary), sample));
        }

        Bind(root, Samples[0]); // the tour, when no sample is named
        return root;
    }

    private const int SnapshotWidth = 132;
    private const int SnapshotHeight = 40;

    /// <summary>A console that draws nowhere, as if it were a terminal of <paramref name="width"/> by <paramref name="height"/>.</summary>
    private static IAnsiConsole OffScreen(int width, int height)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.Yes, Ansi = AnsiSupport.Yes });
        console.Profile.Width = width;
        console.Profile.Height = height;
        return console;
    }

    private static TimeSpan? ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        var (number, unit) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value * unit <= TimeSpan.FromDays(1).TotalSeconds)
        {
            return TimeSpan.FromSeconds(value * unit);
        }

        result.AddError($"--duration: expected a positive duration of at most a day, like 30s, 2m or 500ms (a bare number is seconds), received '{text}'.");
        return null;
    }

    private static async Task<int> RunSampleAsync(ISample sample, SampleSettings settings, TextWriter output, bool interactive, string? snapshot, CancellationToken cancellationToken)
    {
        var live = settings.Live && interactive;
        IRunView view = snapshot is not null
            ? new LiveView(OffScreen(SnapshotWidth, SnapshotHeight))
            {
                CaptureAt = (settings.Duration ?? sample.DefaultDuration) * 0.6,
            }
            : live
            ? new LiveView(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) }))
            : new PlainView(output);
        await using var _ = view;
        if (settings.Live && !interactive && snapshot is null)
        {
            output.WriteLine("kind=note detail=\"the output is not a terminal: plain log lines instead of the live view (--no-live)\"");
        }

        var run = new SampleRun(sample, settings, view, cancellationToken, paced: live);
        view.Start(sample.Name, run.Seed);
        SampleOutcome outcome;
        try
        {
            outcome = await sample.RunAsync(run);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            outcome = new SampleOutcome(false, "the sample runs to its end", [], [$"the sample failed (seed {run.Seed}): {e}"]);
        }

        if (settings.ReportPath is { } path)
        {
            ReportWriter.Write(path, new SampleReport(
                sample.Name, run.Seed, run.Timeline.Elapsed, outcome.InvariantHeld, outcome.Invariant, outcome.Findings, outcome.Violations,
                run.Load.Overall(), run.Timeline.Dropped, outcome.Chaos, run.Timeline.Moments));
        }

        await view.FinishAsync(outcome, settings.ReportPath);
        if (snapshot is not null && view is LiveView { Captured: { } frame })
        {
            SvgSnapshot.Write(snapshot, frame, width: SnapshotWidth);
            output.WriteLine($"kind=snapshot path={snapshot}");
        }
        if (!outcome.InvariantHeld)
        {
            output.WriteLine($"kind=seed detail=\"the invariant did not hold; run again with --seed {run.Seed}\"");
        }

        return outcome.InvariantHeld ? 0 : 1;
    }
}
