using Clutch.Browser.Tests.Infrastructure;
using Clutch.EndToEnd.Tests.Harness;
using Microsoft.Playwright;

namespace Clutch.Browser.Tests.Flows;

/// <summary>A server with one user who owns what they upload with twine, and the browser steps that user takes.</summary>
public class OwnerServer : ClutchServer, IAsyncLifetime
{
    public const string DefaultUser = "browser_owner";
    public const string Password = "browser owner password";

    public OwnerServer()
        : this(DefaultUser)
    {
    }

    /// <param name="user">The owner's name (the hostile-metadata tests give one carrying script).</param>
    protected OwnerServer(string user)
        : this(user, [])
    {
    }

    /// <param name="user">The owner's name.</param>
    /// <param name="extraArguments">More <c>clutch serve</c> arguments, e.g. <c>--private</c>.</param>
    protected OwnerServer(string user, IEnumerable<string> extraArguments)
        : base(extraArguments) => User = user;

    public string User { get; }

    /// <summary>Starts the server, then adds the user (<c>clutch user add</c> needs the index the server created).</summary>
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await AddUserAsync(User, Password);
    }

    /// <summary>Publishes with the owner's password, so the owner owns the projects.</summary>
    public async Task UploadAsOwnerAsync(params string[] files) =>
        (await Twine.UploadAsync(UploadUrl, User, Password, files)).AssertSuccess();

    /// <summary>
    /// Signs in through the login page and follows its redirect back to <paramref name="returnPath"/>
    /// (the login page's axe and 360 px checks are HostileMetadataTests'; here it is screenshotted and trapped).
    /// </summary>
    public async Task SignInAsync(BrowserSession session, string returnPath)
    {
        await session.GotoAsync($"{BaseUrl}/account/login?returnUrl={Uri.EscapeDataString(returnPath)}");
        await SubmitLoginAsync(session, returnPath);
    }

    /// <summary>Fills and sends the login form shown now, and follows it to <paramref name="returnPath"/>.</summary>
    public async Task SubmitLoginAsync(BrowserSession session, string returnPath)
    {
        await session.Page.Locator("input[name=username]").FillAsync(User);
        await session.Page.Locator("input[name=password]").FillAsync(Password);
        var landed = await session.ClickAsync(session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }));
        Assert.Equal(200, landed.Status);
        Assert.Equal(BaseUrl + returnPath, session.Page.Url);
    }
}
