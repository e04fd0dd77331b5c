using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Hosting.Tests;

/// <summary>
/// docs/guides/embedding.md, followed word for word outside the repository: Supervise packed to a local feed, the
/// guide's commands run in a temporary folder, its three files written as shown, the service built and run on
/// 127.0.0.1, its endpoints called, and the process stopped with SIGINT.
/// </summary>
/// <remarks>
/// Three things differ from a reader's run, each for a reason: the packages are packed from this build (the guide's
/// <c>dotnet pack</c> of the whole solution would build it again) with a version of this run's own, so that NuGet's
/// cache never serves a package of an earlier run; restore reads NuGet's local package cache instead of nuget.org
/// (tests talk to loopback only); and the service, built, is started with <c>dotnet Orders.dll</c> on a free port instead of
/// <c>dotnet run</c> on 5000.
/// </remarks>
public sealed partial class PackedGuideTests(ITestOutputHelper output)
{
    private const string GuideVersion = "0.1.0-preview.1";

    [Fact]
    public async Task The_guide_followed_outside_the_repository_builds_a_service_that_answers_survives_a_crash_and_stops_on_SIGINT()
    {
        var repository = RepositoryRoot();
        var guide = await File.ReadAllTextAsync(Path.Combine(repository, "docs", "guides", "embedding.md"));
        var work = Directory.CreateTempSubdirectory("supervise-guide-");
        var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
        var version = $"0.1.0-guide.{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set ? set : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        try
        {
            var directory = work.FullName;
            foreach (var command in Commands(guide))
            {
                if (command.StartsWith("dotnet pack ", StringComparison.Ordinal))
                {
                    foreach (var project in new[] { "Supervise.Core", "Supervise.Hosting" })
                    {
                        await RunAsync(directory, $"dotnet pack \"{Path.Combine(repository, "src", project)}\" -c {Configuration()} --no-build -p:Version={version} -o \"{feed}\"");
                    }

                    continue;
                }

                if (command.StartsWith("cd ", StringComparison.Ordinal))
                {
                    directory = Path.Combine(directory, command[3..].Trim());
                    continue;
                }

                var line = command.Replace("~/supervise-feed", $"\"{feed}\"", StringComparison.Ordinal)
                    .Replace("--version " + GuideVersion, "--version " + version, StringComparison.Ordinal);
                if (line.StartsWith("dotnet new web ", StringComparison.Ordinal))
                {
                    line += " --no-restore";
                }

                await RunAsync(directory, line);
                if (line == "dotnet new nugetconfig")
                {
                    // The guide's nuget.config names nuget.org; here the same packages come from NuGet's local cache.
                    await RunAsync(directory, "dotnet nuget remove source nuget --configfile nuget.config");
                    await RunAsync(directory, $"dotnet nuget add source \"{cache}\" --name local-cache --configfile nuget.config");
                }
            }

            foreach (var (name, text) in Files(guide))
            {
                await File.WriteAllTextAsync(Path.Combine(directory, name), text);
            }

            await RunAsync(directory, "dotnet build -c Release");
            await RunServiceAsync(directory);
        }
        finally
        {
            work.Delete(recursive: true);
            foreach (var package in new[] { "supervise.core", "supervise.hosting" })
            {
                var cached = new DirectoryInfo(Path.Combine(cache, package, version));
                if (cached.Exists)
                {
                    cached.Delete(recursive: true);
                }
            }
        }
    }

    private async Task RunServiceAsync(string directory)
    {
        // The built service itself, as `dotnet run` starts it: `dotnet run` runs it as a child process, and a signal sent to
        // `dotnet run` alone does not reach it (Ctrl+C in a terminal reaches both).
        var info = new ProcessStartInfo("dotnet", [Path.Combine("bin", "Release", "net10.0", "Orders.dll"), "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var lines = new List<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
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

            if (ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups[1].Value);
            }
        };
        process.BeginOutputReadLine();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = new Uri(address) };

            Assert.Equal(9.99m, (await http.GetFromJsonAsync<PriceReply>("/price/abc"))!.Amount);
            // A request that crashes the actor gets a 503; the actor is restarted and the next one is served.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/price/bad")).StatusCode);
            Assert.Equal("xyz", (await http.GetFromJsonAsync<PriceReply>("/price/xyz"))!.Sku);
            Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
            Assert.Equal("Healthy", await http.GetStringAsync("/health/live"));

            using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString()]))
            {
                await interrupt.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            lock (lines)
            {
                output.WriteLine(string.Join('\n', lines));
            }

            output.WriteLine(await errors);
        }

        Assert.Equal(0, process.ExitCode);
        string all;
        lock (lines)
        {
            all = string.Join('\n', lines);
        }

        // The crash reached plain console logging, and the restart says where it stands against appsettings.json's intensity.
        Assert.Contains("Crash report: child pricing of orders (OneForOne) crashed: no price for bad", all, StringComparison.Ordinal);
        Assert.Contains("1 of 5 restarts within 00:00:10", all, StringComparison.Ordinal);
        Assert.Contains("Supervise stopped tree orders", all, StringComparison.Ordinal);
    }

    private async Task RunAsync(string directory, string command)
    {
        output.WriteLine("$ " + command);
        var info = new ProcessStartInfo("bash", ["-c", command])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"'{command}' failed with exit code {process.ExitCode}:\n{text}");
    }

    /// <summary>The guide's commands: the lines of the block marked <c>guide: commands</c>, without comments.</summary>
    private static IEnumerable<string> Commands(string guide) =>
        Block(guide, "<!-- guide: commands -->").Split('\n').Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0);

    /// <summary>The files the guide shows whole: each block marked <c>guide: file NAME</c>.</summary>
    private static IEnumerable<(string Name, string Text)> Files(string guide) =>
        FileMarker().Matches(guide).Select(m => (m.Groups[1].Value, Block(guide, m.Value)));

    private static string Block(string guide, string marker)
    {
        var at = guide.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"The guide has no '{marker}'.");
        var open = guide.IndexOf("```", at, StringComparison.Ordinal);
        var start = guide.IndexOf('\n', open) + 1;
        var end = guide.IndexOf("\n```", start, StringComparison.Ordinal);
        return guide[start..end].ReplaceLineEndings("\n") + "\n";
    }

    private static string Configuration() => typeof(PackedGuideTests).Assembly.Location.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Supervise.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Supervise.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"<!-- guide: file (\S+) -->")]
    private static partial Regex FileMarker();

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();

    private sealed record PriceReply(string Sku, decimal Amount);
}
