using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Supervise.Cluster.Tests.Support;
using Supervise.Tests.Common;
using Xunit;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests;

/// <summary>Nodes in separate processes on 127.0.0.1; the one hosting the singleton is killed with SIGKILL.</summary>
public sealed class KilledProcessTests(ITestOutputHelper output)
{
    // Built with the solution (a project reference that brings no assembly): beside this project's output.
    private static string NodeProgram() => SiblingProgram.Path(typeof(KilledProcessTests), "Supervise.Cluster.Tests", "Supervise.Cluster.Node");

    /// <summary>Starts a node process and waits (bounded) for it to say it is Up; returns it and its address.</summary>
    private static async Task<(Process Process, string Address)> StartNodeAsync(Address seed, string role, List<Process> started)
    {
        var info = new ProcessStartInfo("dotnet", [NodeProgram(), seed.ToString(), role])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info)!;
        started.Add(process);
        _ = process.StandardError.ReadToEndAsync(); // drained, so the node never blocks writing to it
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                ?? throw new InvalidOperationException($"The node process ended before it was Up (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            if (line.StartsWith("up ", StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync(); // drained from now on: Akka's warnings must not fill the pipe
                return (process, line[3..]);
            }
        }
    }

    [Fact]
    public async Task Survivors_take_over_the_singleton_of_a_killed_process_and_report_it_gone_and_its_address_loses_no_job()
    {
        var processes = new List<Process>();
        var config = ConfigurationFactory.ParseString("akka.cluster.roles = [\"observer\"]").WithFallback(FastCluster.Config());
        var observer = ActorSystem.Create("supervise-cluster", config);
        try
        {
            var cluster = AkkaCluster.Get(observer);
            cluster.Join(cluster.SelfAddress);
            var jobs = SupervisedSingleton.Start(observer, ChildSpec.Worker("jobs", Props.Empty), new SingletonOptions { Role = "worker" });

            // Two worker nodes in their own processes: the first to join is the oldest worker, and hosts the singleton.
            var (victim, victimAddress) = await StartNodeAsync(cluster.SelfAddress, "worker", processes);
            var (_, survivorAddress) = await StartNodeAsync(cluster.SelfAddress, "worker", processes);
            var first = await jobs.Ask<string>(0, TimeSpan.FromSeconds(30));
            Assert.EndsWith(victimAddress, first, StringComparison.Ordinal);

            // Jobs flow; the hosting process is killed (SIGKILL) in the middle of them.
            var acked = new Dictionary<int, string>();
            var unanswered = new List<int>();
            for (var job = 1; job <= 20; job++)
            {
                if (job == 11)
                {
                    victim.Kill(); // SIGKILL on Linux: no leave, no goodbye
                }

                try
                {
                    // Before the kill a job is answered (a loaded machine gets 5 s); after it, a second is enough to move on.
                    var reply = await jobs.Ask<string>(job, TimeSpan.FromSeconds(job <= 10 ? 5 : 1));
                    acked[job] = reply.Split(' ')[1];
                }
                catch (AskTimeoutException)
                {
                    unanswered.Add(job);
                }
            }

            // The survivors (this node and the other worker) down the killed one (keep-majority), and the other worker takes the singleton over.
            var takeover = Stopwatch.StartNew();
            string now;
            while (true)
            {
                try
                {
                    now = (await jobs.Ask<string>(100, TimeSpan.FromSeconds(1))).Split(' ')[1];
                    break;
                }
                catch (AskTimeoutException) when (takeover.Elapsed < TimeSpan.FromSeconds(40))
                {
                }
            }

            Assert.Equal(survivorAddress, now);

            // Nothing is lost: a job the killed node had not confirmed, or sent while the singleton moved, was
            // held by the address and sent to the survivor (late: its asker had given up, so it is unanswered).
            var ranBySurvivor = (await jobs.Ask<string>("ran", TimeSpan.FromSeconds(10))).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();
            var late = unanswered.Where(ranBySurvivor.Contains).ToList();
            var lost = unanswered.Except(late).ToList();
            var stats = await SingletonStats.SettledAsync(jobs);
            Assert.DoesNotContain(cluster.State.Members, m => m.Address.ToString() == victimAddress); // gone from the cluster
            var health = await ClusterHealth.GetAsync(observer);
            Assert.DoesNotContain(health.Nodes, n => n.Address == victimAddress);
            var report = $"killed {victimAddress} at job 11; acknowledged {acked.Count} of 20 jobs ({acked.Count(a => a.Value == victimAddress)} by the killed node, {acked.Count(a => a.Value == survivorAddress)} by the survivor); " +
                $"ran late by the survivor: [{string.Join(", ", late)}]; lost: [{string.Join(", ", lost)}]; the survivor answered {takeover.ElapsedMilliseconds} ms after the last job was sent; the address: {stats}";
            output.WriteLine(report);
            Assert.All(Enumerable.Range(1, 10), j => Assert.True(acked.ContainsKey(j), $"job {j} was sent before the kill and should have been acknowledged; {report}"));
            Assert.Empty(lost);
            // At least once: a job the killed node did, whose receipt ("taken") went with it, is sent again (done twice) and counted.
            var twice = acked.Where(a => a.Value == victimAddress).Select(a => a.Key).Where(ranBySurvivor.Contains).ToList();
            Assert.True(twice.Count <= stats.Redelivered, $"jobs done twice ({string.Join(", ", twice)}) were each sent again; {report}");
            Assert.True(stats.Redelivered >= 1, $"jobs sent to the killed node before it was seen unreachable are sent again; {report}");
            Assert.Equal((0L, 0L, 0, 1), (stats.Rejected, stats.Dropped, stats.Waiting, stats.Moves));
        }
        finally
        {
            foreach (var process in processes)
            {
                try
                {
                    process.StandardInput.Close(); // a node still running stops when its stdin closes
                    if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or IOException)
                {
                    // already gone
                }

                process.Dispose();
            }

            try
            {
                await observer.Terminate().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                // not masking the test's own failure: the process ends anyway
            }
        }
    }
}
