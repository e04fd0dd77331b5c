using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Supervise.Samples.Common;

/// <summary>
/// The dashboard of a sample's trees (<c>--dashboard</c>), served on 127.0.0.1 at a free port from the first tree the
/// sample shows until the run ends: read-only, answered only to loopback clients.
/// </summary>
internal sealed class SampleDashboard : IAsyncDisposable
{
    private readonly List<SupervisionTree> _trees = [];
    private WebApplication? _app;

    /// <summary>The page's address, once it is served.</summary>
    public string? Address { get; private set; }

    /// <summary>Shows <paramref name="tree"/> too; serves the page at the first one, and returns its address then (null after).</summary>
    public async Task<string?> AddAsync(SupervisionTree tree)
    {
        lock (_trees)
        {
            _trees.Add(tree);
        }

        if (_app is not null)
        {
            return null;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapSuperviseDashboard("/supervise", o => o.Trees = () =>
        {
            lock (_trees)
            {
                return [.. _trees];
            }
        });
        await _app.StartAsync();
        Address = _app.Urls.Single() + "/supervise";
        return Address;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
