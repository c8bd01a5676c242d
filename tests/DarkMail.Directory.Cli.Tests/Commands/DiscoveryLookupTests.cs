// `dmd lookup ADDR --resolver` (spec/cli.md §2.6.1): the directory is found through a `_dx`
// record served by a scripted DNS server on loopback and then reached in memory
// (TestDirectory), so the whole discovery path runs without the knot+unbound fixture; the
// real-DNS cases are in tests/DarkMail.Directory.Server.Tests/Federation.
using System.Text.Json;
using DarkMail.Directory.Cli.Commands;
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.Tests;
using DarkMail.Directory.Client.Tests.Discovery;
using DarkMail.Directory.Core.Dns;
using NSec.Cryptography;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class DiscoveryLookupTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly TestDirectory dir = new();
    private readonly Key aliceKey = TestDirectory.NewSigningKey();
    private readonly string record;

    public DiscoveryLookupTests()
    {
        dir.Publish(Alice, aliceKey);
        record = new DxRecord([TestDirectory.Raw(dir.Pok)], TestDirectory.Url).Format();
    }

    public void Dispose()
    {
        dir.Dispose();
        aliceKey.Dispose();
    }

    [Fact]
    public async Task Lookup_ResolverWithAuthenticatedRecord_DiscoversAndVerifies()
    {
        using var dns = Dns(authenticated: true);
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--resolver", dns.Endpoint.ToString());

        run.AssertExit(ExitCodes.Ok);
        Assert.Contains("ok    _dx.example.test found, DNSSEC authenticated (policy require)", run.Out, StringComparison.Ordinal);
        Assert.Contains("ok    descriptor for example.test signed by POK", run.Out, StringComparison.Ordinal);
        Assert.Contains("directory       https://dir.example.test/", run.Out, StringComparison.Ordinal);
        Assert.Contains("verified: alice@example.test version 1 verified", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_Json_ReportsRecordDnssecAndChecks()
    {
        using var dns = Dns(authenticated: true);
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--resolver", dns.Endpoint.ToString(), "--json");

        run.AssertExit(ExitCodes.Ok);
        var json = JsonDocument.Parse(run.Out).RootElement;
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.True(json.GetProperty("dnssec_authenticated").GetBoolean());
        Assert.Equal(record, json.GetProperty("dx_record").GetString());
        Assert.Equal(1, json.GetProperty("version").GetInt32());
        Assert.True(json.GetProperty("checks").GetArrayLength() >= 8);
    }

    [Fact]
    public async Task Lookup_UnauthenticatedUnderRequire_DnssecAbsentExit1()
    {
        using var dns = Dns(authenticated: false);
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--resolver", dns.Endpoint.ToString());

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: discovery.dnssec-absent:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_UnauthenticatedUnderPrefer_VerifiedAndSaysNotAuthenticated()
    {
        using var dns = Dns(authenticated: false);
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--resolver", dns.Endpoint.ToString(), "--dnssec", "prefer");

        run.AssertExit(ExitCodes.Ok);
        Assert.Contains("NOT DNSSEC authenticated (policy prefer)", run.Out, StringComparison.Ordinal);
        Assert.Contains("dnssec          not authenticated", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("usage.server", "lookup", Alice)]
    [InlineData("usage.resolver", "lookup", Alice, "--resolver", "dns.example.test:53")]
    [InlineData("usage.dnssec", "lookup", Alice, "--resolver", "127.0.0.1:53", "--dnssec", "maybe")]
    [InlineData("usage.pok", "lookup", Alice, "--resolver", "127.0.0.1:53", "--pok", "AAAA")]
    [InlineData("usage.resolver", "lookup", Alice, "--server", "https://dir.example.test/", "--resolver", "127.0.0.1:53")]
    [InlineData("usage.resolver", "lookup", Alice, "--server", "https://dir.example.test/", "--allow-http")]
    public async Task Lookup_BadDiscoveryOptions_UsageExit(string code, params string[] args)
    {
        var run = await CliRunner.RunAsync(dir, args);

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith($"dmd: {code}:", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://localhost/")]
    [InlineData("https://127.0.0.1/")]
    [InlineData("https://10.1.2.3/")]
    public async Task Lookup_RecordNamesNonGlobalDestination_AddressForbiddenWithoutConnecting(string url)
    {
        // The real HTTP path (no test handler): the guard refuses at connect time a name that
        // resolves to loopback, and the URL policy an IP literal, before any byte is sent.
        var forbidden = new DxRecord([TestDirectory.Raw(dir.Pok)], new Uri(url)).Format();
        var flags = (ushort)(FakeDnsServer.FlagRd | FakeDnsServer.FlagRa | FakeDnsServer.FlagAd);
        using var dns = new FakeDnsServer(q => FakeDnsServer.Response(q, 0, flags, 300, [forbidden]));
        var run = await CliRunner.RunRealAsync("lookup", Alice, "--resolver", dns.Endpoint.ToString());

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: lookup.address-forbidden:", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LookupFailure.None, ExitCodes.Ok)]
    [InlineData(LookupFailure.Reset, ExitCodes.Reset)]
    [InlineData(LookupFailure.NotFound, ExitCodes.Refused)]
    [InlineData(LookupFailure.RemoteUnavailable, ExitCodes.Network)]
    [InlineData(LookupFailure.CircuitOpen, ExitCodes.Network)]
    [InlineData(LookupFailure.BadAnswer, ExitCodes.Network)]
    [InlineData(LookupFailure.Dns, ExitCodes.VerificationFailed)]
    [InlineData(LookupFailure.Verification, ExitCodes.VerificationFailed)]
    [InlineData(LookupFailure.KeyRevoked, ExitCodes.VerificationFailed)]
    public void ExitCode_EachReason_AsSpecified(LookupFailure failure, int exit) =>
        Assert.Equal(exit, DiscoveryLookup.ExitCode(failure));

    private FakeDnsServer Dns(bool authenticated)
    {
        var flags = (ushort)(FakeDnsServer.FlagRd | FakeDnsServer.FlagRa | (authenticated ? FakeDnsServer.FlagAd : 0));
        return new FakeDnsServer(q => FakeDnsServer.Response(q, 0, flags, 300, [record]));
    }
}
