using System.Globalization;
using Supervise.Benchmarks;

// Supervise against raw Akka.NET, side by side, in one run.
//   dotnet run -c Release --project bench/Supervise.Benchmarks [-- --filter restart-cycle,ping-pong] [--repeat 5] [--scale 1] [--json path]
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

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
