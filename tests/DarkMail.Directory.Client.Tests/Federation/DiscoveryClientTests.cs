// DiscoveryClient with a stand-in resolver and no network: the DNS outcome decides before
// any HTTP call. The end-to-end cases (real DNS, real directories) are in
// tests/DarkMail.Directory.Server.Tests/Federation.
using System.Net;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Dns;
using Microsoft.Extensions.Time.Testing;

namespace DarkMail.Directory.Client.Tests.Federation;

public sealed class DiscoveryClientTests : IDisposable
{
    private static readonly IPEndPoint Endpoint = new(IPAddress.Loopback, 53);
    private readonly HttpClient http = new(new RefusingHandler());

    private readonly List<HttpClient> clients = [];

    public void Dispose()
    {
        http.Dispose();
        clients.ForEach(c => c.Dispose());
    }

    [Theory]
    [InlineData(DxFailure.NoRecord, "discovery.no-record")]
    [InlineData(DxFailure.DnssecBogus, "discovery.dnssec-bogus")]
    [InlineData(DxFailure.DnssecAbsent, "discovery.dnssec-absent")]
    [InlineData(DxFailure.ResolverUnavailable, "discovery.resolver-unavailable")]
    public async Task LookupAsync_DnsFailure_ReportedWithDiscoveryCodeNoHttp(DxFailure failure, string code)
    {
        var resolver = new StandIn(d => DxResult.ForFailure(d, Endpoint, DnssecPolicy.Require, false, failure, "stand-in"));
        var state = new ClientState();
        var result = await new DiscoveryClient(resolver, http, state).LookupAsync(Address.Parse("bob@other.test"));
        Assert.Equal(LookupFailure.Dns, result.Failure);
        Assert.Equal(failure, result.DnsFailure);
        Assert.Equal(code, result.Code);
        Assert.Empty(result.Checks);
        Assert.Empty(state.Addresses);
    }

    [Theory]
    [InlineData("http://dir.other.test/", true)]
    [InlineData("http://127.0.0.1:9/", false)]
    public async Task LookupAsync_HttpDirectoryNotAllowed_InsecureUrlAfterDnsCheck(string url, bool allowHttp)
    {
        var record = new DxRecord([new byte[32]], new Uri(url));
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));
        var result = await new DiscoveryClient(resolver, http, new ClientState(), new DiscoveryClientOptions { AllowHttp = allowHttp })
            .LookupAsync(Address.Parse("bob@other.test"));
        Assert.Equal("lookup.insecure-url", result.Code);
        Assert.True(result.DnssecAuthenticated);
        Assert.Single(result.Checks);
    }

    [Fact]
    public async Task LookupAsync_DirectoryRefusesConnection_RemoteUnavailable()
    {
        var record = new DxRecord([new byte[32]], new Uri("https://dir.other.test/"));
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));
        var result = await new DiscoveryClient(resolver, http, new ClientState(), new DiscoveryClientOptions { Retries = 0 })
            .LookupAsync(Address.Parse("bob@other.test"));
        Assert.Equal("lookup.remote-unavailable", result.Code);
    }

    [Fact]
    public async Task LookupAsync_InMemoryDirectory_VerifiedAndStateKept()
    {
        using var dir = new TestDirectory();
        using var key = TestDirectory.NewSigningKey();
        dir.Publish("alice@example.test", key);
        var state = new ClientState();
        var result = await InMemory(dir, state, new FakeTimeProvider(TestDirectory.Now)).LookupAsync(Address.Parse("alice@example.test"));

        Assert.True(result.IsValid, result.Code + ": " + result.Message);
        Assert.Equal(1u, state.Addresses["alice@example.test"].Version);
        Assert.Equal(dir.Descriptor.ToUtf8Json(), result.DescriptorJson!.Value.ToArray());
    }

    [Fact]
    public async Task LookupAsync_KeyPastItsExpiry_KeyExpiredAfterVerification()
    {
        using var dir = new TestDirectory();
        using var key = TestDirectory.NewSigningKey();
        dir.Publish("alice@example.test", key);
        dir.CheckpointTime = TestDirectory.Now.AddDays(2);
        var state = new ClientState();
        var result = await InMemory(dir, state, new FakeTimeProvider(TestDirectory.Now.AddDays(2))).LookupAsync(Address.Parse("alice@example.test"));

        Assert.Equal("lookup.key-expired", result.Code);
        Assert.NotNull(result.Signet);
        Assert.True(state.Addresses.ContainsKey("alice@example.test"));
    }

    [Fact]
    public async Task LookupAsync_Remote404WithValidProof_NotFoundWithAbsenceAndCheckpointAdvanced()
    {
        using var dir = new TestDirectory();
        using var key = TestDirectory.NewSigningKey();
        dir.Publish("alice@example.test", key);
        var state = new ClientState();
        var kept = dir.CheckpointNote();
        state.Checkpoints[TestDirectory.Origin] = new KeptCheckpoint(dir.Size, Transparency.Checkpoints.Checkpoint.FromNote(kept).RootHash.ToArray(), kept.ToString());
        dir.AddNoise();

        var result = await InMemory(dir, state, new FakeTimeProvider(TestDirectory.Now)).LookupAsync(Address.Parse("nobody@example.test"));

        Assert.Equal(LookupFailure.NotFound, result.Failure);
        Assert.Equal("lookup.not-found", result.Code);
        Assert.Contains("absent (proven)", result.Message, StringComparison.Ordinal);
        Assert.Equal("nobody@example.test", result.Absence!.Address);
        Assert.Equal(dir.LabelOf("nobody@example.test").Label, result.Absence.Label);
        Assert.Equal(dir.CheckpointNote().ToString(), result.Absence.Checkpoint);
        Assert.Contains(result.Checks, c => c.StartsWith("map proof: no entry for the label", StringComparison.Ordinal));
        Assert.Equal(3, state.Checkpoints[TestDirectory.Origin].Size);
        Assert.Empty(state.Addresses);
    }

    [Theory]
    [InlineData("none", "verify.absence-unproven")]
    [InlineData("stale", "verify.stale")]
    public async Task LookupAsync_Remote404Unproven_VerificationFailureAndStateUntouched(string proof, string code)
    {
        using var dir = new TestDirectory();
        dir.AddNoise();
        if (proof == "none")
        {
            dir.TamperAbsence = _ => null;
        }
        else
        {
            dir.CheckpointTime = TestDirectory.Now.AddDays(-2);
        }

        var state = new ClientState();

        var result = await InMemory(dir, state, new FakeTimeProvider(TestDirectory.Now)).LookupAsync(Address.Parse("nobody@example.test"));

        Assert.Equal(LookupFailure.Verification, result.Failure);
        Assert.Equal(code, result.Code);
        Assert.Equal(code, result.KeyFailure.Code());
        Assert.Null(result.Absence);

        // Only the configuration check, which passed before the 404, may have kept its checkpoint.
        Assert.Empty(state.Addresses);
        Assert.All(state.Checkpoints.Values, kept => Assert.Equal(dir.Size, kept.Size));
    }

    [Fact]
    public async Task LookupAsync_DescriptorNotSignedByRecordPok_DescriptorSignature()
    {
        using var dir = new TestDirectory();
        var record = new DxRecord([TestDirectory.RandomBytes(32)], TestDirectory.Url);
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));
        using var client = new HttpClient(dir, disposeHandler: false);
        var result = await new DiscoveryClient(resolver, client, new ClientState(), time: new FakeTimeProvider(TestDirectory.Now))
            .LookupAsync(Address.Parse("alice@example.test"));
        Assert.Equal("lookup.descriptor-signature", result.Code);
    }

    [Fact]
    public async Task LookupAsync_OwnCosignatureRequiredAndMissing_WitnessPolicyAndStateUnchanged()
    {
        using var dir = new TestDirectory();
        using var key = TestDirectory.NewSigningKey();
        using var own = new Transparency.Cosignatures.CosignatureSigner("me.test", TestDirectory.RandomBytes(32));
        dir.Publish("alice@example.test", key);
        var state = new ClientState();
        var options = new DiscoveryClientOptions { RequiredCosigner = origin => origin == TestDirectory.Origin ? own.Verifier : null };

        var result = await InMemory(dir, state, new FakeTimeProvider(TestDirectory.Now), options).LookupAsync(Address.Parse("alice@example.test"));

        Assert.Equal("verify.witness-policy", result.Code);
        Assert.Contains("me.test", result.Message, StringComparison.Ordinal);
        Assert.Empty(state.Addresses);
    }

    [Fact]
    public async Task LookupAsync_OwnCosignatureRequiredAndPresent_Verified()
    {
        using var dir = new TestDirectory();
        using var key = TestDirectory.NewSigningKey();
        using var own = new Transparency.Cosignatures.CosignatureSigner("me.test", TestDirectory.RandomBytes(32));
        dir.Cosigners.Add((own, TestDirectory.Now));
        dir.Publish("alice@example.test", key);
        var options = new DiscoveryClientOptions { RequiredCosigner = origin => origin == TestDirectory.Origin ? own.Verifier : null };

        var result = await InMemory(dir, new ClientState(), new FakeTimeProvider(TestDirectory.Now), options).LookupAsync(Address.Parse("alice@example.test"));
        var absent = await InMemory(dir, new ClientState(), new FakeTimeProvider(TestDirectory.Now), options).LookupAsync(Address.Parse("nobody@example.test"));

        Assert.True(result.IsValid, result.Code + ": " + result.Message);
        Assert.Equal("lookup.not-found", absent.Code);
        Assert.NotNull(absent.Absence);
    }

    [Fact]
    public async Task LookupAsync_OwnCosignatureRequiredOnAbsence_WitnessPolicy()
    {
        using var dir = new TestDirectory();
        using var own = new Transparency.Cosignatures.CosignatureSigner("me.test", TestDirectory.RandomBytes(32));
        var options = new DiscoveryClientOptions { RequiredCosigner = _ => own.Verifier };

        var result = await InMemory(dir, new ClientState(), new FakeTimeProvider(TestDirectory.Now), options).LookupAsync(Address.Parse("nobody@example.test"));

        Assert.Equal("verify.witness-policy", result.Code);
        Assert.Null(result.Absence);
    }

    [Fact]
    public async Task LookupAsync_DescriptorAdvisesQuorumWithoutOwnPolicy_AdviceNotApplied()
    {
        using var dir = new TestDirectory();
        using var key = TestDirectory.NewSigningKey();
        using var w = new Transparency.Cosignatures.CosignatureSigner("w.test", TestDirectory.RandomBytes(32));
        dir.Advertise(advice: new Core.Descriptors.WitnessPolicyAdvice(1, [w.Verifier.ToVerifierKey()]));
        dir.Publish("alice@example.test", key);

        var free = await InMemory(dir, new ClientState(), new FakeTimeProvider(TestDirectory.Now)).LookupAsync(Address.Parse("alice@example.test"));
        var own = await InMemory(dir, new ClientState(), new FakeTimeProvider(TestDirectory.Now),
            new DiscoveryClientOptions { WitnessPolicy = new Transparency.Proofs.WitnessPolicy([w.Verifier], 1) }).LookupAsync(Address.Parse("alice@example.test"));

        Assert.True(free.IsValid, free.Code + ": " + free.Message);
        Assert.Equal("verify.witness-policy", own.Code);
    }

    [Theory]
    [InlineData("https://10.0.0.7/")]
    [InlineData("https://169.254.169.254/")]
    [InlineData("https://[fd00::1]/")]
    [InlineData("http://192.168.1.1/")]
    public async Task LookupAsync_RecordNamesNonGlobalAddress_AddressForbiddenNoRequest(string url)
    {
        var counting = new CountingHandler(_ => throw new InvalidOperationException("no request may be sent"));
        using var client = new HttpClient(counting);
        var record = new DxRecord([new byte[32]], new Uri(url));
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));

        var result = await new DiscoveryClient(resolver, client, new ClientState(), new DiscoveryClientOptions { AllowHttp = true })
            .LookupAsync(Address.Parse("bob@other.test"));

        Assert.Equal(LookupFailure.AddressForbidden, result.Failure);
        Assert.Equal("lookup.address-forbidden", result.Code);
        Assert.Equal(0, counting.Count);
    }

    [Fact]
    public async Task LookupAsync_NameResolvesToPrivateThroughGuard_AddressForbidden()
    {
        var record = new DxRecord([new byte[32]], new Uri("https://dir.other.test/"));
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));
        var guard = new Client.Http.OutboundGuard(resolve: (_, _) => Task.FromResult<IPAddress[]>([IPAddress.Parse("10.9.8.7")]));
        using var client = new HttpClient(guard.CreateHandler());

        var result = await new DiscoveryClient(resolver, client, new ClientState()).LookupAsync(Address.Parse("bob@other.test"));

        Assert.Equal("lookup.address-forbidden", result.Code);
        Assert.Contains("10.9.8.7", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookupAsync_DescriptorRedirectsToPrivateAddress_AddressForbiddenHopNotRequested()
    {
        using var dir = new TestDirectory();
        var hosts = new List<string>();
        var redirecting = new CountingHandler(request =>
        {
            hosts.Add(request.RequestUri!.Host);
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri("https://192.168.0.10/.well-known/dx-directory");
            return response;
        });
        using var client = new HttpClient(redirecting);
        var record = new DxRecord([TestDirectory.Raw(dir.Pok)], TestDirectory.Url);
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));

        var result = await new DiscoveryClient(resolver, client, new ClientState(), time: new FakeTimeProvider(TestDirectory.Now))
            .LookupAsync(Address.Parse("alice@example.test"));

        Assert.Equal("lookup.address-forbidden", result.Code);
        Assert.Equal(["dir.example.test"], hosts);
    }

    [Fact]
    public async Task LookupAsync_DescriptorSignedDuringTheFetch_JudgedAtTheTimeItArrived()
    {
        // A remote that signs its descriptor on request stamps it with the second it answers;
        // judged against a clock read before the request it would be "issued after now".
        using var dir = new TestDirectory();
        using var key = TestDirectory.NewSigningKey();
        dir.Publish("alice@example.test", key);
        var time = new FakeTimeProvider(TestDirectory.Now);
        var p = dir.Descriptor.Payload;
        dir.Descriptor = Descriptor.Sign(
            new DescriptorPayload(p.Domain, p.DirectoryUrl, p.Poks, p.LogVerifierKey, p.VrfPublicKey, p.WitnessCosignerKey,
                p.WitnessPolicy, p.Limits, TestDirectory.Now.AddSeconds(1), p.Expires),
            dir.Pok);
        using var stamping = new StampingHandler(dir, time);
        using var client = new HttpClient(stamping, disposeHandler: false);
        var record = new DxRecord([TestDirectory.Raw(dir.Pok)], TestDirectory.Url);
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));

        var result = await new DiscoveryClient(resolver, client, new ClientState(), time: time).LookupAsync(Address.Parse("alice@example.test"));

        Assert.True(result.IsValid, result.Code + ": " + result.Message);
        Assert.Equal(1, stamping.DescriptorFetches);
    }

    [Fact]
    public async Task LookupAsync_DescriptorFetchFailedRecently_SameFailureWithoutRequestUntilTtl()
    {
        var counting = new CountingHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        using var client = new HttpClient(counting);
        var record = new DxRecord([new byte[32]], new Uri("https://dir.other.test/"));
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));
        var time = new FakeTimeProvider(TestDirectory.Now);
        var discovery = new DiscoveryClient(resolver, client, new ClientState(),
            new DiscoveryClientOptions { Retries = 0, DescriptorFailureTtl = TimeSpan.FromSeconds(30) }, time);

        var first = await discovery.LookupAsync(Address.Parse("bob@other.test"));
        time.Advance(TimeSpan.FromSeconds(29));
        var second = await discovery.LookupAsync(Address.Parse("carol@other.test"));
        var requestsWithinWindow = counting.Count;
        time.Advance(TimeSpan.FromSeconds(2));
        var third = await discovery.LookupAsync(Address.Parse("bob@other.test"));

        Assert.Equal("lookup.remote-unavailable", first.Code);
        Assert.Equal("lookup.remote-unavailable", second.Code);
        Assert.Contains("not asked again yet", second.Message, StringComparison.Ordinal);
        Assert.Equal(1, requestsWithinWindow);
        Assert.Equal("lookup.remote-unavailable", third.Code);
        Assert.Equal(2, counting.Count);
    }

    [Fact]
    public async Task LookupAsync_MoreAddressesThanMaxStateEntries_LeastRecentlyUsedForgotten()
    {
        using var dir = new TestDirectory();
        var keys = new List<NSec.Cryptography.Key>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var key = TestDirectory.NewSigningKey();
            keys.Add(key);
            dir.Publish($"{name}@example.test", key);
        }

        var state = new ClientState();
        var discovery = InMemory(dir, state, new FakeTimeProvider(TestDirectory.Now), new DiscoveryClientOptions { MaxStateEntries = 2, AnswerTtl = TimeSpan.Zero });
        foreach (var name in new[] { "a", "b", "a", "c" })
        {
            var result = await discovery.LookupAsync(Address.Parse($"{name}@example.test"));
            Assert.True(result.IsValid, result.Code + ": " + result.Message);
        }

        keys.ForEach(k => k.Dispose());
        Assert.Equal(["a@example.test", "c@example.test"], state.Addresses.Keys.Order(StringComparer.Ordinal));
        Assert.Single(state.Checkpoints);
    }

    [Fact]
    public void Constructor_Null_Throws()
    {
        var resolver = new StandIn(d => throw new InvalidOperationException());
        Assert.Throws<ArgumentNullException>(() => new DiscoveryClient(null!, http, new ClientState()));
        Assert.Throws<ArgumentNullException>(() => new DiscoveryClient(resolver, null!, new ClientState()));
        Assert.Throws<ArgumentNullException>(() => new DiscoveryClient(resolver, http, null!));
    }

    private DiscoveryClient InMemory(TestDirectory dir, ClientState state, TimeProvider time, DiscoveryClientOptions? options = null)
    {
        var record = new DxRecord([TestDirectory.Raw(dir.Pok)], TestDirectory.Url);
        var resolver = new StandIn(d => DxResult.ForRecord(d, Endpoint, DnssecPolicy.Require, true, record));
        var client = new HttpClient(dir, disposeHandler: false);
        clients.Add(client);
        return new DiscoveryClient(resolver, client, state, options, time: time);
    }

    private sealed class StandIn(Func<string, DxResult> answer) : IDxResolver
    {
        public ValueTask<DxResult> ResolveAsync(string domain, DnssecPolicy policy = DnssecPolicy.Require, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(answer(domain));
    }

    private sealed class CountingHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private int count;

        public int Count => count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref count);
            var response = answer(request);
            response.RequestMessage ??= request;
            return Task.FromResult(response);
        }
    }

    /// <summary>Moves the clock one second on while the descriptor is being fetched.</summary>
    private sealed class StampingHandler(HttpMessageHandler inner, FakeTimeProvider time) : DelegatingHandler(inner)
    {
        public int DescriptorFetches { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == "/.well-known/dx-directory")
            {
                DescriptorFetches++;
                time.Advance(TimeSpan.FromSeconds(1));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class RefusingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("Connection refused (stand-in)");
    }
}
