using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Supervise.Tests.Common;

/// <summary>
/// Headless Chromium driven by Selenium, from Debian's <c>chromium</c> and <c>chromium-driver</c> (installed with apt-get when
/// missing, as <c>.ci/run</c> does first). Its traffic goes to loopback only: every other host name fails to resolve, and
/// Chromium's own background traffic (updates, sync, safe browsing) is off.
/// </summary>
public static class Chromium
{
    private const string Browser = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";
    private static readonly Lock Installing = new();

    public static WebDriver Start()
    {
        EnsureInstalled();
        Environment.SetEnvironmentVariable("SE_AVOID_STATS", "true"); // Selenium Manager is not used (paths are given); if it were, no stats
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--window-size=1400,1000",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-client-side-phishing-detection",
            "--disable-features=Translate,OptimizationHints,MediaRouter",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static void EnsureInstalled()
    {
        lock (Installing)
        {
            if (File.Exists(Browser) && File.Exists(Driver))
            {
                return;
            }

            // A fresh Debian machine: the test command sets up what it needs, as .ci/run does before it.
            var install = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver"]) { RedirectStandardOutput = true, RedirectStandardError = true })
                ?? throw new InvalidOperationException("could not start apt-get");
            var output = install.StandardError.ReadToEndAsync();
            install.StandardOutput.ReadToEnd();
            install.WaitForExit();
            if (install.ExitCode != 0 || !File.Exists(Browser) || !File.Exists(Driver))
            {
                throw new InvalidOperationException($"The browser tests need Debian's chromium and chromium-driver ({Browser}, {Driver}); installing them with apt-get failed (exit {install.ExitCode}): {output.Result}");
            }
        }
    }
}
