// spec/cli.md "Trusting a directory", "State folder": one conversation with one directory:
// the HTTP client, the state (from --state, or in memory only), and the trusted descriptor.
// Each verb that reads keys goes through LookupAsync, so every key dmd acts on is verified.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.Cli.Commands;

internal sealed class Session : IDisposable
{
    private readonly HttpClient http;
    private readonly DmdContext context;
    private readonly string? stateDirectory;

    public Session(DmdContext context, string server, string? stateDirectory, TimeSpan? timeout = null)
    {
        this.context = context;
        this.stateDirectory = stateDirectory;
        var url = CommonOptions.ParseServer(server);
        http = new HttpClient(context.CreateHandler(), disposeHandler: true) { Timeout = timeout ?? TimeSpan.FromSeconds(120) };
        Client = new DirectoryHttpClient(http, url, DirectoryHttpClient.CreateReadPipeline());
        State = stateDirectory is null ? new ClientState() : ClientState.Load(stateDirectory);
    }

    public DirectoryHttpClient Client { get; }

    /// <summary>Whether a state folder was given: without one, nothing this session verifies is kept.</summary>
    public bool Keeps => stateDirectory is not null;

    public ClientState State { get; }

    public TrustedDirectory? Directory { get; private set; }

    public string? TrustMessage { get; private set; }

    /// <summary>
    /// The checkpoint the state kept for the directory's log when <see cref="TrustAsync"/> began,
    /// before the configuration's checkpoint advanced it: what the log verbs check the log against.
    /// </summary>
    public KeptCheckpoint? KeptBeforeTrust { get; private set; }

    /// <summary>How <see cref="TrustAsync"/> uses and keeps the logged configuration in the state.</summary>
    public ConfigurationPinning Pinning { get; set; } = ConfigurationPinning.Full;

    /// <summary>The logged configuration verified by <see cref="TrustAsync"/> (and whether it changed since pinned).</summary>
    public ConfigurationVerification? Configuration { get; private set; }

    public DateTimeOffset Now => context.Time.GetUtcNow();

    public async Task<TrustedDirectory> TrustAsync(string? expectedDomain, byte[]? pok, CancellationToken cancellationToken)
    {
        var descriptor = await Client.GetDescriptorAsync(cancellationToken).ConfigureAwait(false);
        if (expectedDomain is not null && !string.Equals(descriptor.Payload.Domain, expectedDomain, StringComparison.OrdinalIgnoreCase))
        {
            // Not a changed POK: this directory serves another domain (spec/cli.md §5.1, issue 13).
            throw CliException.Usage("usage.domain",
                $"{expectedDomain} is not this directory's domain: {Client.BaseUrl.AbsoluteUri} serves {descriptor.Payload.Domain}; " +
                $"ask {expectedDomain}'s own directory, or find it through DNS with --resolver HOST:PORT instead of --server (discovery)");
        }

        // Not a ?: expression: null would convert through byte[] to an empty, non-null ReadOnlyMemory.
        ReadOnlyMemory<byte>? given = null;
        if (pok is not null)
        {
            given = pok;
        }

        var trust = TrustedDirectory.Establish(descriptor, Client.BaseUrl.AbsoluteUri, expectedDomain, given, State, Now);
        if (!trust.IsTrusted)
        {
            throw new CliException(ExitCodes.VerificationFailed, trust.Code!, trust.Message);
        }

        Directory = trust.Directory!;
        TrustMessage = trust.Message;

        // spec/log-tiles.md §6: full tiles and bundles from the advertised static host.
        Client.TilesUrl = descriptor.Payload.TilesUrl;
        KeptBeforeTrust = State.Checkpoints.GetValueOrDefault(Directory.LogOrigin);

        // spec/configuration.md §6: the descriptor advertises; the log's configuration fixes.
        // The watchdog and the monitor follow the log with their own state and report a fork
        // or rollback as a finding with its evidence: for them the configuration is checked
        // against the descriptor (and, for the monitor, the pinned number) only.
        var against = State;
        if (Pinning != ConfigurationPinning.Full)
        {
            against = new ClientState();
            if (Pinning == ConfigurationPinning.ConfigurationOnly && State.Configurations.TryGetValue(Directory.LogOrigin, out var pinned))
            {
                against.Configurations[Directory.LogOrigin] = pinned;
            }
        }

        var configuration = await Verifier.VerifyConfigurationAsync(Directory, await Client.GetConfigurationAsync(cancellationToken).ConfigureAwait(false), against, Client, cancellationToken).ConfigureAwait(false);
        if (!configuration.IsValid)
        {
            await ThrowIfStaticMismatchAsync(cancellationToken).ConfigureAwait(false);
            Save();
            throw new CliException(ExitCodes.VerificationFailed, configuration.Code!, configuration.Message) { Evidence = configuration.Evidence };
        }

        if (Pinning == ConfigurationPinning.Full)
        {
            configuration.ApplyTo(State);
        }
        else if (Pinning == ConfigurationPinning.ConfigurationOnly)
        {
            State.Configurations[Directory.LogOrigin] = configuration.Configuration!;
        }

        Configuration = configuration;
        TrustMessage += "; " + string.Join("; ", configuration.Checks);
        return Directory;
    }

    /// <summary>
    /// From --witness/--quorum or the state folder's policy file (WitnessPolicyOptions.Resolve);
    /// null: no policy. The descriptor's advice is never applied (spec/witnessing.md §4).
    /// </summary>
    public Transparency.Proofs.WitnessPolicy? WitnessPolicy { get; set; }

    /// <summary>The policy in force: the client's own, or none.</summary>
    public Transparency.Proofs.WitnessPolicy EffectivePolicy => WitnessPolicy ?? Transparency.Proofs.WitnessPolicy.None;

    /// <summary>"witnessed: none" or the policy, for text output.</summary>
    public string WitnessedLine => "witnessed: " + WitnessPolicyOptions.Describe(WitnessPolicy);

    /// <summary>The descriptor's advice, shown and never applied.</summary>
    public string AdviceLine
    {
        get
        {
            var advice = (Directory ?? throw new InvalidOperationException("TrustAsync first.")).Descriptor.Payload.WitnessPolicy;
            return $"advice of the descriptor (not applied): quorum {advice.Quorum} of {advice.Witnesses.Count} witness key(s)";
        }
    }

    /// <summary>From --max-age; null: <see cref="KeyVerifier.DefaultMaxAge"/>.</summary>
    public TimeSpan? MaxAge { get; set; }

    public KeyVerifier Verifier => new(EffectivePolicy, MaxAge, context.Time);

    public Task<KeyVerification> VerifyAsync(Address address, KeyAnswer answer, CancellationToken cancellationToken) =>
        Verifier.VerifyAsync(Directory ?? throw new InvalidOperationException("TrustAsync first."), address, answer, State, Client,
            ct => Client.GetHistoryAsync(address.ToString(), ct), cancellationToken);

    /// <summary>Verifies a 404's absence proof (spec/map.md §4).</summary>
    public Task<AbsenceVerification> VerifyAbsenceAsync(Address address, AbsenceProof? absence, CancellationToken cancellationToken) =>
        Verifier.VerifyAbsenceAsync(Directory ?? throw new InvalidOperationException("TrustAsync first."), address, absence, State, Client, cancellationToken);

    /// <summary>Fetches and verifies the current version; a failure (reset included unless accepted) throws.</summary>
    public async Task<KeyVerification> LookupAsync(Address address, bool acceptReset, CancellationToken cancellationToken)
    {
        var answer = await Client.GetKeyAsync(address.ToString(), cancellationToken).ConfigureAwait(false);
        var verification = await VerifyAsync(address, answer, cancellationToken).ConfigureAwait(false);
        if (!verification.IsValid && !(verification.IsReset && acceptReset))
        {
            await ThrowIfStaticMismatchAsync(cancellationToken).ConfigureAwait(false);
            throw new CliException(verification.IsReset ? ExitCodes.Reset : ExitCodes.VerificationFailed, verification.Code!, verification.Message);
        }

        verification.ApplyTo(State, acceptReset);
        return verification;
    }

    /// <summary>
    /// After a failed verification: when a full tile from the static host differs from the
    /// directory's, that is the failure (<c>tiles.static-mismatch</c>, spec/log-tiles.md §6).
    /// </summary>
    public async Task ThrowIfStaticMismatchAsync(CancellationToken cancellationToken)
    {
        if (Client.StaticTilesRead > 0 && await Client.FindStaticMismatchAsync(cancellationToken).ConfigureAwait(false) is { } mismatch)
        {
            Save();
            throw new CliException(ExitCodes.VerificationFailed, mismatch.Code, mismatch.Message);
        }
    }

    /// <summary>
    /// What the static host served: null without a tiles URL; else the full tiles read from it
    /// and each one read from the directory instead, with its code.
    /// </summary>
    public string? StaticTilesLine
    {
        get
        {
            if (Client.TilesUrl is not { } url)
            {
                return null;
            }

            var fallbacks = Client.StaticFallbacks;
            var line = $"tiles: {Client.StaticTilesRead} full tile(s) and bundle(s) from {url.AbsoluteUri}; {fallbacks.Count} read from the directory instead";
            return fallbacks.Count == 0 ? line : line + " (" + string.Join("; ", fallbacks.Take(8).Select(f => f.Message)) + (fallbacks.Count > 8 ? "; …)" : ")");
        }
    }

    /// <summary>Writes the state back when a state folder was given.</summary>
    public void Save()
    {
        if (stateDirectory is not null)
        {
            State.Save(stateDirectory);
        }
    }

    public void Dispose() => http.Dispose();
}

/// <summary>What a session's trust step checks the logged configuration against, and keeps.</summary>
internal enum ConfigurationPinning
{
    /// <summary>The kept checkpoint and pinned configuration; both advance (lookup, log and submit verbs).</summary>
    Full,

    /// <summary>The pinned configuration only; it advances, checkpoints are left to the caller (monitor).</summary>
    ConfigurationOnly,

    /// <summary>The descriptor alone; nothing is kept (audit: the log's own configuration entries are counted).</summary>
    None,
}
