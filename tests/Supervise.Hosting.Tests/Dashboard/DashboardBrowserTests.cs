using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Supervise.Hosting.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Hosting.Tests.Dashboard;

/// <summary>The dashboard in a real browser (headless Chromium): what a person sees, live (issue 13).</summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_page_draws_the_trees_shows_a_crash_go_Restarting_then_Running_and_terminates_a_child_on_a_click()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireAssertion(_ => true)));
        builder.Services.AddSupervise(b => b
            .AddTree("orders", new SupervisorSpec
            {
                Children =
                [
                    // Backs off 2 s before its restart: long enough to be seen Restarting.
                    ChildSpec.Worker("payments", Worker.Props) with { Policies = [Policy.Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)) with { Jitter = 0 }] },
                    ChildSpec.Worker("stock", Worker.Props),
                ],
            })
            .AddTree("sessions", new SupervisorSpec { Children = [ChildSpec.ForSupervisor("users", new SupervisorSpec { Children = [.. Enumerable.Range(0, 60).Select(i => ChildSpec.Worker($"u{i}", Worker.Props))] })] }));
        await using var app = builder.Build();
        app.MapSuperviseDashboard("/supervise", o => (o.EnableOperations, o.AuthorizationPolicy) = (true, "operators"));
        await app.StartAsync();

        using var browser = Chromium.Start();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(20));
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        string Health(string path) => browser.FindElement(By.CssSelector($"[data-path='{path}'] .badge")).Text;
        browser.Navigate().GoToUrl(app.Urls.Single() + "/supervise");

        wait.Until(_ => Health("orders/payments") == "Running" && Health("orders/stock") == "Running");
        // The page redraws on every event: each look is made again until it holds (a redrawn element goes stale).
        wait.Until(_ => Health("sessions/users") == "Running");
        wait.Until(_ => browser.FindElement(By.CssSelector("[data-path='sessions/users'] ~ .counts")).Text.StartsWith("60 children", StringComparison.Ordinal));
        wait.Until(_ => browser.FindElement(By.Id("status")).Text == "live");

        // A crash through the runtime API: the page shows it Restarting for its backoff, then Running, and the feed says why.
        (await app.Services.GetRequiredService<SuperviseTrees>().GetChildAsync("orders/payments")).Tell("boom", Akka.Actor.ActorRefs.NoSender);
        wait.Until(_ => Health("orders/payments") == "Restarting");
        wait.Until(_ => Health("orders/payments") == "Running");
        wait.Until(_ => browser.FindElement(By.Id("feed")).Text.Contains("ChildRestarted orders/payments", StringComparison.Ordinal));
        wait.Until(_ => browser.FindElement(By.CssSelector("[data-path='orders/payments'] .meta")).Text.Contains("1 restart", StringComparison.Ordinal));
        wait.Until(_ => browser.FindElement(By.CssSelector("[data-path='orders/payments'] .failure")).GetAttribute("title") == "InvalidOperationException: boom");

        // An operation from the page.
        wait.Until(_ =>
        {
            browser.FindElements(By.CssSelector("[data-path='orders/stock'] button")).Single(b => b.Text == "terminate").Click();
            return true;
        });
        wait.Until(_ => Health("orders/stock") == "Down");

        var shot = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(shot);
        output.WriteLine($"screenshot: {shot}");
        browser.Quit();
        await app.StopAsync();
    }
}
