// Shared steps of the federation tests: publish a user at a running directory, and build a
// discovery client configured with only the fixture's resolver.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Federation;

internal static class FederationHelpers
{
    public static readonly HttpClient Http = new(DirectoryHttpClient.CreateHandler()) { Timeout = TimeSpan.FromSeconds(60) };

    public static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    public static async Task<(TestUser User, KeyAnswer Answer)> PublishAsync(RunningDirectory directory, string local)
    {
        var client = directory.Client(out var http);
        using (http)
        {
            var user = TestUser.Create($"{local}@{directory.Domain}");
            var answer = await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
            return (user, answer);
        }
    }

    public static async Task<KeyAnswer> SubmitAsync(RunningDirectory directory, byte[] signet, string? code = null)
    {
        var client = directory.Client(out var http);
        using (http)
        {
            return await client.SubmitOkAsync(signet, code);
        }
    }

    public static async Task<string> ResetCodeAsync(RunningDirectory directory, string address)
    {
        var client = directory.Client(out var http);
        using (http)
        {
            return await client.ResetCodeAsync(address);
        }
    }

    public static DiscoveryClient Discovery(FederationFixture fixture, DnssecPolicy policy = DnssecPolicy.Require, ClientState? state = null,
        Action<DiscoveryClientOptions>? edit = null)
    {
        var options = new DiscoveryClientOptions
        {
            Dnssec = policy,
            AllowHttp = true,
            AttemptTimeout = TimeSpan.FromSeconds(2),
            TotalTimeout = TimeSpan.FromSeconds(5),
            Retries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            AnswerTtl = TimeSpan.Zero,
        };
        edit?.Invoke(options);
        var resolver = new DxResolver(new DxResolverOptions { Resolver = fixture.Resolver, Timeout = TimeSpan.FromSeconds(2) });
        return new DiscoveryClient(resolver, Http, state ?? new ClientState(), options);
    }

    /// <summary>A bound on every test's wait, so nothing hangs (not a timing assertion).</summary>
    public static CancellationToken Guard() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
}
