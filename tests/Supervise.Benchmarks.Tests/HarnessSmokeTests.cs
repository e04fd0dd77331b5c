using System.Text.Json;
using Xunit;

namespace Supervise.Benchmarks.Tests;

/// <summary>Runs every figure at a tiny size so the harness cannot rot. It checks that it runs and reports, not how fast.</summary>
public sealed class HarnessSmokeTests
{
    [Fact]
    public async Task Every_figure_runs_both_sides_and_reports_a_ratio_and_json()
    {
        var figures = Runner.AllFigures();
        using var output = new StringWriter();

        var results = await Runner.RunAsync(figures, repeat: 1, scale: 0.001, output);
        var path = Runner.WriteJson(results, Path.Combine(Path.GetTempPath(), $"supervise-bench-{Guid.NewGuid():N}.json"), 1, 0.001);

        Assert.Equal(figures.Select(f => f.Name), results.Select(r => r.Name));
        Assert.All(results, r =>
        {
            Assert.True(r.RawMedian > 0 && double.IsFinite(r.RawMedian), $"{r.Name}: raw {r.RawMedian}");
            Assert.True(r.SuperviseMedian > 0 && double.IsFinite(r.SuperviseMedian), $"{r.Name}: supervise {r.SuperviseMedian}");
            Assert.Contains(r.Name, output.ToString(), StringComparison.Ordinal);
        });
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(figures.Count, json.RootElement.GetProperty("figures").GetArrayLength());
        File.Delete(path);
    }

    [Fact]
    public void The_machine_line_names_cores_runtime_and_gc()
    {
        var line = Runner.MachineLine();

        Assert.Contains($"{Environment.ProcessorCount} cores", line, StringComparison.Ordinal);
        Assert.Contains("GC ", line, StringComparison.Ordinal);
    }
}
