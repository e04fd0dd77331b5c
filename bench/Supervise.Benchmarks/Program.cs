using System.Globalization;
using Supervise;
using Supervise.Benchmarks;
using Supervise.Benchmarks.Soak;

// Supervise against raw Akka.NET, side by side, in one run.
//   dotnet run -c Release --project bench/Supervise.Benchmarks [-- --filter restart-cycle,ping-pong] [--repeat 5] [--scale 1] [--json path]
// The long soak (every fault kind on about 10,000 workers, every tracked message accounted for, memory measured):
//   dotnet run -c Release --project bench/Supervise.Benchmarks -- soak --minutes 10 --faults 1000000
if (args.Length > 0 && args[0] == "soak")
{
    return await SoakAsync(args[1..]);
}

var filter = Option("--filter")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var repeat = int.Parse(Option("--repeat") ?? "5", CultureInfo.InvariantCulture);
var scale = double.Parse(Option("--scale") ?? "1", CultureInfo.InvariantCulture);
var json = Option("--json") ?? Path.Combine("artifacts", "benchmarks", $"results-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");

var known = Runner.AllFigures();
var unknown = filter?.Where(f => known.All(k => k.Name != f)).ToList() ?? [];
if (unknown.Count > 0 || repeat < 1 || scale <= 0)
{
    Console.Error.WriteLine($"usage: --filter <{string.Join("|", known.Select(k => k.Name))}>[,...] --repeat <1 or more> --scale <above 0> --json <path>");
    Console.Error.WriteLine(unknown.Count > 0 ? $"unknown figure(s): {string.Join(", ", unknown)}" : $"received --repeat {repeat}, --scale {scale}");
    return 2;
}

var figures = known.Where(f => filter is null || filter.Contains(f.Name)).ToList();
Console.WriteLine(Runner.MachineLine());
Console.WriteLine($"repeat {repeat}, scale {scale}; medians of each side; ratio = Supervise / raw");
var results = await Runner.RunAsync(figures, repeat, scale, Console.Out);
Console.WriteLine("results: " + Runner.WriteJson(results, json, repeat, scale));
return 0;

static async Task<int> SoakAsync(string[] options)
{
    SoakSettings settings;
    try
    {
        settings = SoakSettings.Parse(options);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }

    var problems = new List<string>();
    var result = await SoakRun.RunAsync(settings, Console.WriteLine, report =>
    {
        if (!report.RootSurvived)
        {
            problems.Add("the root did not survive");
        }

        if (report.Verdicts.GetValueOrDefault(IsolationVerdict.Leaked) is > 0 and var leaked)
        {
            problems.Add($"{leaked} faults restarted children outside their blast radius");
        }
    });
    if (result.Unaccounted != 0)
    {
        problems.Add($"{result.Unaccounted} of {result.Sent} messages neither answered nor reported");
    }

    if (result.Twice.Count > 0)
    {
        problems.Add($"{result.Twice.Count} messages answered or reported twice, for example {result.Twice[0]}");
    }

    if (result.Growth >= 0.05)
    {
        problems.Add(FormattableString.Invariant($"managed memory grew by {result.Growth:P0}, more than 5 %"));
    }

    Console.WriteLine(problems.Count == 0 ? "soak: every message accounted for, memory flat" : "soak FAILED (seed " + settings.Seed + "): " + string.Join("; ", problems));
    return problems.Count == 0 ? 0 : 1;
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
