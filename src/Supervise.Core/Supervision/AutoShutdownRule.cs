namespace Supervise.Supervision;

/// <summary>
/// OTP's <c>auto_shutdown</c>: whether a supervisor shuts itself down after a significant child stopped for good
/// (it was not restarted). Pure.
/// </summary>
internal static class AutoShutdownRule
{
    /// <summary>Whether the supervisor shuts down, given its mode and, for each significant child, whether it still runs.</summary>
    public static bool ShutsDown(AutoShutdown mode, IEnumerable<bool> significantRunning)
    {
        ArgumentNullException.ThrowIfNull(significantRunning);
        return mode switch
        {
            AutoShutdown.AnySignificant => true,
            AutoShutdown.AllSignificant => !significantRunning.Any(running => running),
            _ => false,
        };
    }
}
