using System.Net;
using Clutch.EndToEnd.Tests.Harness;
using static Clutch.EndToEnd.Tests.Harness.BrowserForms;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// A browser session started on one node works on the other (a load balancer without sticky
/// sessions): both nodes read the session key ring from the shared catalog.
/// </summary>
[Collection("cluster")]
public sealed class ClusterSessionTests(Cluster cluster) : IClassFixture<Cluster>
{
    [ClusterFact]
    public async Task A_session_and_a_form_token_from_one_node_are_accepted_by_the_other()
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, CookieContainer = cookies });

        // Both nodes render a form before anyone signs in, so each has read (or made) its keys.
        var tokenOnB = await TokenAsync(browser, cluster.B.BaseUrl + "/account/login");
        var tokenOnA = await TokenAsync(browser, cluster.A.BaseUrl + "/account/login");
        Assert.NotEmpty(tokenOnB);

        using (var signIn = await browser.PostAsync(cluster.A.BaseUrl + "/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = Cluster.User,
            ["password"] = Cluster.Password,
            ["returnUrl"] = "/account/tokens",
            ["__antiforgery"] = tokenOnA,
        })))
        {
            Assert.True(signIn.StatusCode == HttpStatusCode.SeeOther, $"sign-in on A → {(int)signIn.StatusCode}: {await signIn.Content.ReadAsStringAsync()}\n{cluster.A.Output}");
        }

        // Cookies are per host, not per port: the jar sends A's session to B as a browser would behind one name.
        using var onB = await browser.GetAsync(cluster.B.BaseUrl + "/account/tokens");
        var html = await onB.Content.ReadAsStringAsync();
        Assert.True(onB.StatusCode == HttpStatusCode.OK, $"A's session on B → {(int)onB.StatusCode}: {html}\n{cluster.B.Output}");
        Assert.Contains($"<span class=\"user\">{Cluster.User}</span>", html, StringComparison.Ordinal);

        // A form rendered by B, submitted to A.
        using var created = await browser.PostAsync(cluster.A.BaseUrl + "/account/tokens", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["expires_days"] = "1",
            ["__antiforgery"] = TokenIn(html),
        }));
        Assert.True(created.StatusCode == HttpStatusCode.OK, $"B's form on A → {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        Assert.Contains("id=\"new-token\"", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
