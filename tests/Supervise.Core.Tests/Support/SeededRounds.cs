using Xunit.Abstractions;

namespace Supervise.Tests.Support;

/// <summary>
/// Rounds of a randomized test drawn from one seed: <c>SUPERVISE_SEED</c> replays a run, the seed is printed first, and a
/// failure names the seed and the round.
/// </summary>
internal static class SeededRounds
{
    /// <summary>Runs <paramref name="rounds"/> rounds; round <c>i</c> gets <c>new Random(seed + i)</c> and its number.</summary>
    public static async Task RunAsync(ITestOutputHelper output, string test, int rounds, Func<Random, int, Task> round)
    {
        var seed = Environment.GetEnvironmentVariable("SUPERVISE_SEED") is { } fixedSeed
            ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture)
            : Environment.TickCount;
        output.WriteLine($"seed {seed} (set SUPERVISE_SEED={seed} to replay)");
        for (var i = 0; i < rounds; i++)
        {
            try
            {
                await round(new Random(seed + i), i);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{test} failed: seed {seed}, round {i} (SUPERVISE_SEED={seed} replays it): {e.Message}", e);
            }
        }
    }
}
