using System.Net;

namespace Supervise.Dashboard;

/// <summary>Who may see the dashboard and who may act through it: plain rules over a request's facts, each refusal with its reason.</summary>
internal static class DashboardRules
{
    /// <summary>Why a request from <paramref name="remote"/> is refused, or null when it may see the dashboard.</summary>
    public static string? RefuseViewer(IPAddress? remote, SuperviseDashboardOptions options) =>
        options.AllowRemoteClients || (remote is not null && IPAddress.IsLoopback(remote))
            ? null
            : $"the Supervise dashboard answers only loopback clients (127.0.0.0/8, ::1) unless SuperviseDashboardOptions.AllowRemoteClients is true; this request came from {remote?.ToString() ?? "an unknown address"}";

    /// <summary>Why an operation is refused before authorization is asked, or null.</summary>
    public static string? RefuseOperation(SuperviseDashboardOptions options) =>
        options.EnableOperations ? null : "the Supervise dashboard is read-only: operations on children need SuperviseDashboardOptions.EnableOperations set to true";

    /// <summary>Why a chaos run is refused before authorization is asked, or null.</summary>
    public static string? RefuseChaos(SuperviseDashboardOptions options, string environmentName) =>
        !options.EnableChaos ? "the Supervise dashboard runs no chaos: chaos runs need SuperviseDashboardOptions.EnableChaos set to true"
        : string.Equals(environmentName, "Production", StringComparison.OrdinalIgnoreCase) && !options.AllowChaosInProduction
            ? "chaos runs are refused in the Production environment unless SuperviseDashboardOptions.AllowChaosInProduction is true"
            : null;

    /// <summary>Why an operation or a chaos run is refused by its authorization policy.</summary>
    public static string PolicyRefused(string policy) => $"operations on children and chaos runs require the authorization policy '{policy}', which this request does not satisfy";

    /// <summary>The options' problems, each naming what was wrong and what was expected (checked when the dashboard is mapped).</summary>
    public static IReadOnlyList<string> Problems(SuperviseDashboardOptions options)
    {
        var problems = new List<string>();
        if ((options.EnableOperations || options.EnableChaos) && string.IsNullOrWhiteSpace(options.AuthorizationPolicy))
        {
            problems.Add($"AuthorizationPolicy: expected the name of an authorization policy (registered with AddAuthorization) when {(options.EnableOperations ? "EnableOperations" : "EnableChaos")} is true, received none");
        }

        if (options.CollapseAbove < 1)
        {
            problems.Add($"CollapseAbove: expected 1 or more children, received {options.CollapseAbove}");
        }

        return problems;
    }
}
