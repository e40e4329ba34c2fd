using Microsoft.Playwright;

namespace PitfallLab.Tests.Fixtures;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright: never a browser download (CI installs the <c>chromium</c>
/// package). Missing, it fails the test saying how to get it.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly string[] Switches =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private Browser(IPlaywright playwright, IBrowser browser) => (this.playwright, this.browser) = (playwright, browser);

    public static async Task<Browser> StartAsync()
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: the browser tests drive Debian's Chromium. Install it with `apt-get install -y --no-install-recommends chromium` (.ci/run does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = Switches });
        return new Browser(playwright, browser);
    }

    /// <summary>A page the size of a 1080p projector.</summary>
    public async Task<IPage> OpenAsync(Uri url)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
        await page.GotoAsync(url.ToString());
        return page;
    }

    /// <summary>Where a test's screenshot goes: TestResults/ at the repository's root (CI's results directory).</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(RepoPaths.Root, "TestResults", "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
