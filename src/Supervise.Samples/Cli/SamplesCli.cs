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
        Command(output, interactive).Parse(args).InvokeAsync(
            new InvocationConfiguration
            {
                Output = output,
                Error = error,
                // Ctrl+C cancels the run; the sample then winds down, judges and reports. System.CommandLine's
                // default (2 s) would end the process first, losing the outcome, the report and the exit code.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(90),
            },
            cancellationToken);

    /// <summary>
    /// What <paramref name="args"/> would be refused for, without running anything: empty when they name a
    /// sample and options it takes (the docs' command lines are checked with this).
    /// </summary>
    public static IReadOnlyList<string> Check(string[] args) =>
        Command(TextWriter.Null, interactive: false).Parse(args).Errors.Select(e => e.Message).ToList();

    private static RootCommand Command(TextWriter output, bool interactive)
    {
        var seed = new Option<int?>("--seed") { Description = "Drives every random choice; printed at the start of each run, so a run can be repeated.", Recursive = true, CustomParser = ParseSeed };
        var duration = new Option<TimeSpan?>("--duration") { Description = "How long the sample runs, for example 30s, 2m or 500ms (default: the sample's own).", Recursive = true, CustomParser = ParseDuration };
        var faults = new Option<double?>("--faults-per-second") { Description = "How often the fault injector strikes, on average; 0 turns it off (default: the sample's own).", Recursive = true, CustomParser = ParseFaultsPerSecond };
        var dashboard = new Option<bool>("--dashboard") { Description = "Serves the dashboard (the trees and their events, live in a browser) on 127.0.0.1 while the sample runs, and prints its address.", Recursive = true };
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
        foreach (var option in new Option[] { seed, duration, faults, noLive, report, dashboard, snapshot })
        {
            root.Options.Add(option);
        }

        Command Bind(Command command, ISample sample)
        {
            command.Validators.Add(r =>
            {
                if (command == root && r.Children.OfType<CommandResult>().Any())
                {
                    return; // a sample was named: its own command checks its options
                }

                if (sample.ScriptedFaults is { } scripted && r.GetResult(faults) is { Implicit: false })
                {
                    r.AddError($"--faults-per-second: {sample.Name} takes no fault rate ({scripted}); leave the option out.");
                }

                if (sample.FixedLength is { } fixedLength && r.GetResult(duration) is { Implicit: false })
                {
                    r.AddError($"--duration: {sample.Name} takes no duration ({fixedLength}); leave the option out.");
                }
            });

            var switches = command == root ? [] : sample.Switches.Select(s => new Option<bool>("--" + s.Name) { Description = s.Description }).ToList();
            foreach (var option in switches)
            {
                command.Options.Add(option);
            }

            command.SetAction((parsed, ct) => RunSampleAsync(
                sample,
                new SampleSettings(parsed.GetValue(seed), parsed.GetValue(duration), parsed.GetValue(faults), !parsed.GetValue(noLive), parsed.GetValue(report))
                {
                    Switches = switches.Where(o => parsed.GetValue(o)).Select(o => o.Name[2..]).ToHashSet(),
                    Dashboard = parsed.GetValue(dashboard),
                },
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

    /// <summary>The most faults a second a sample takes: beyond it, the injector's interval would round to nothing.</summary>
    internal const double MaxFaultsPerSecond = 10_000;

    /// <summary>The fewest (above 0): below it, the mean interval between faults would pass the injector's limit of 49 days.</summary>
    internal const double MinFaultsPerSecond = 0.001;

    private static double? ParseFaultsPerSecond(ArgumentResult result)
    {
        // The invariant culture, as for --duration: "0.5" means a half wherever the machine is.
        var text = Token(result);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && (value == 0 || value is >= MinFaultsPerSecond and <= MaxFaultsPerSecond))
        {
            return value;
        }

        result.AddError(string.Create(CultureInfo.InvariantCulture, $"--faults-per-second: expected 0 (no faults) or a rate from {MinFaultsPerSecond} to {MaxFaultsPerSecond} a second, like 2 or 0.5, received '{text}'."));
        return null;
    }

    private static int? ParseSeed(ArgumentResult result)
    {
        var text = Token(result);
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError(string.Create(CultureInfo.InvariantCulture, $"--seed: expected a whole number from {int.MinValue} to {int.MaxValue}, received '{text}'."));
        return null;
    }

    /// <summary>The option's one value as typed, trimmed (empty when it has none).</summary>
    private static string Token(ArgumentResult result) => result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";

    private static TimeSpan? ParseDuration(ArgumentResult result)
    {
        var text = Token(result);
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

        await using var run = new SampleRun(sample, settings, view, cancellationToken, paced: live);
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
            try
            {
                ReportWriter.Write(path, new SampleReport(
                    sample.Name, run.Seed, run.Timeline.Elapsed, outcome.InvariantHeld, outcome.Invariant, outcome.Findings, outcome.Violations,
                    run.Load.Overall(), run.Timeline.Dropped, outcome.Chaos, run.Timeline.Moments));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The run's outcome still shows; the exit code says the report asked for was not written.
                outcome = outcome with { InvariantHeld = false, Violations = [.. outcome.Violations, $"--report: could not write '{path}': {e.Message}"] };
            }
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
