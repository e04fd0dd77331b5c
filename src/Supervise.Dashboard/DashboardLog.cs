using Microsoft.Extensions.Logging;

namespace Supervise.Dashboard;

/// <summary>What the dashboard logs: each refusal with its rule, each operation carried out.</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Supervise dashboard refused {Method} {Path} from {Remote}: {Why}")]
    public static partial void Refused(ILogger logger, string method, string path, string remote, string why);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Supervise dashboard: {Operation} {Path}: {Result}")]
    public static partial void Operated(ILogger logger, string operation, string path, string result);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Supervise dashboard started a chaos run on tree {Tree} with seed {Seed}")]
    public static partial void ChaosStarted(ILogger logger, string tree, int seed);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Supervise dashboard halted the chaos run on tree {Tree} (seed {Seed})")]
    public static partial void ChaosHalted(ILogger logger, string tree, int seed);
}
