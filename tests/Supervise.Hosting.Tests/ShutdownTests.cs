using System.Diagnostics;
using Supervise.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Hosting.Tests;

/// <summary>
/// A real process: a service with two trees (Supervise's own actor system, or Akka.Hosting's), stopped with SIGINT as Ctrl+C
/// stops it. The host drives the stop: readiness fails once the host begins to stop, not earlier; then the trees stop one
/// after the other in reverse declaration order, each child in reverse start order.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    // Built with the solution (a project reference that brings no assembly): beside this project's output.
    private static string AppProgram() => SiblingProgram.Path(typeof(ShutdownTests), "Supervise.Hosting.Tests", "Supervise.Hosting.ShutdownApp");

    [Theory]
    [InlineData("own")]
    [InlineData("akka-hosting")]
    public async Task Sigint_stops_the_trees_in_reverse_order_each_child_in_reverse_start_order_after_readiness_fails(string mode)
    {
        var info = new ProcessStartInfo("dotnet", [AppProgram(), mode])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var lines = new List<string>();
        var started = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.StartsWith("started;", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString()]))
            {
                await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        string[] seen;
        lock (lines)
        {
            seen = [.. lines];
        }

        output.WriteLine(string.Join('\n', seen));
        output.WriteLine(await errors);
        Assert.Equal(0, process.ExitCode);
        int At(string prefix) => Array.FindIndex(seen, l => l.StartsWith(prefix, StringComparison.Ordinal) || l.Contains(": " + prefix, StringComparison.Ordinal));

        Assert.Equal("started; ready: Healthy", seen[At("started;")]);
        Assert.Equal("host stopping; ready: Unhealthy", seen[At("host stopping;")]);
        var stops = seen.Where(l => l.StartsWith("stopped ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["stopped second/w3", "stopped second/w2", "stopped second/w1", "stopped first/w3", "stopped first/w2", "stopped first/w1"], stops);
        Assert.True(At("host stopping;") < At("stopped second/w3"), "the trees stopped before the host began to stop");
        Assert.True(At("exited") > At("stopped first/w1"));
    }
}
