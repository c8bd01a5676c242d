// spec/discovery.md §9-§10 (DESIGN §3, §7; issue 4): finds and verifies any domain's key
// for an address, end to end. `_dx.<domain>` through the IDxResolver (DNSSEC policy) →
// the record's directory URL (https, or http on loopback when allowed) → the descriptor,
// which must verify under a POK of the record (Descriptor.Verify with the DxRecord) →
// GET /v1/keys/{address} → KeyVerifier against the client state (checkpoint kept per log,
// version kept per address) → expiry and revocation. Every HTTP call goes through the
// remote domain's Polly pipeline (RemotePipelines) and DirectoryHttpClient's size caps and
// redirects, each hop checked by DirectoryUrlPolicy (no private address, no http off
// loopback; the caller's handler checks resolved addresses: OutboundGuard). Verified
// descriptors and fetched answers are cached, and a failed descriptor step for a short
// while; the answer is verified against the state on every lookup. The state is shared by
// concurrent lookups: each verifies against a snapshot of the entries it reads, with no lock
// held (no network call is ever made under the lock), and applies under the lock only when
// those entries are unchanged, else verifies again against a new snapshot, a bounded number
// of times. The state keeps at most MaxStateEntries addresses and origins (least recently
// used forgotten). Only misuse and cancellation throw.
using System.Collections.Concurrent;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using Polly.CircuitBreaker;

namespace DarkMail.Directory.Client.Federation;

public sealed class DiscoveryClient
{
    private readonly IDxResolver resolver;
    private readonly HttpClient http;
    private readonly DiscoveryClientOptions options;
    private readonly TimeProvider time;
    private readonly RemotePipelines pipelines;
    private readonly AnswerCache<CachedDirectory> descriptors;
    private readonly AnswerCache<KeyAnswer> answers;
    private readonly AnswerCache<CachedFailure> failures;
    private readonly StateBound bound;
    private readonly ConcurrentDictionary<string, DirectoryHttpClient> clients = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim stateLock = new(1, 1);
    private readonly string settingsKey;

    /// <param name="http">An HttpClient whose handler does not follow redirects (DirectoryHttpClient.CreateHandler()).</param>
    /// <param name="state">The client state; lookups read and advance it (the caller saves it).</param>
    /// <param name="resolverKey">Names the resolver settings in cache keys (e.g. the resolver endpoint).</param>
    public DiscoveryClient(IDxResolver resolver, HttpClient http, ClientState state, DiscoveryClientOptions? options = null, TimeProvider? time = null, string? resolverKey = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(state);
        this.options = options ?? new DiscoveryClientOptions();
        this.options.Validate();
        this.resolver = resolver;
        this.http = http;
        this.time = time ?? TimeProvider.System;
        State = state;
        pipelines = new RemotePipelines(this.options, this.time);
        descriptors = new AnswerCache<CachedDirectory>(this.options.MaxEntries);
        answers = new AnswerCache<KeyAnswer>(this.options.MaxEntries);
        failures = new AnswerCache<CachedFailure>(this.options.MaxEntries);
        bound = new StateBound(state, this.options.MaxStateEntries);
        var resolverName = resolverKey ?? (resolver is DxResolver real ? real.Resolver.ToString() : resolver.GetType().FullName);
        settingsKey = $"{resolverName}|{this.options.Dnssec.ToText()}|{(this.options.AllowHttp ? "http" : "https")}|";
    }

    public ClientState State { get; }

    public DiscoveryClientOptions Options => options;

    /// <summary>How many times a verification is redone when other lookups moved the state entries it read, before the lookup gives up (lookup.remote-unavailable).</summary>
    public const int MaxVerifyAttempts = 4;

    /// <summary>Finds and verifies the current key of <paramref name="address"/>. Cancellation throws; every other outcome is the result.</summary>
    public async Task<FederatedLookup> LookupAsync(Address address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var result = new FederatedLookup(address, options.Dnssec);
        var domain = address.Domain;

        var dx = await resolver.ResolveAsync(domain, options.Dnssec, cancellationToken).ConfigureAwait(false);
        result.DnssecAuthenticated = dx.Authenticated;
        if (!dx.Found)
        {
            result.DnsFailure = dx.Failure;
            return result.Fail(LookupFailure.Dns, $"_dx.{domain}: {dx.Message}");
        }

        var record = dx.Record!;
        result.RecordText = dx.RecordText;
        result.DirectoryUrl = record.DirectoryUrl;
        result.Passed(dx.Authenticated
            ? $"_dx.{domain} found, DNSSEC authenticated (policy {options.Dnssec.ToText()})"
            : $"_dx.{domain} found, NOT DNSSEC authenticated (policy {options.Dnssec.ToText()})");

        var (refused, why) = DirectoryUrlPolicy.Evaluate(record.DirectoryUrl, options.AllowHttp);
        if (refused != LookupFailure.None)
        {
            return result.Fail(refused, $"{record.DirectoryUrl}: {why}");
        }

        var client = ClientFor(record.DirectoryUrl, domain);
        var directory = await DirectoryAsync(result, dx, client, cancellationToken).ConfigureAwait(false);
        if (directory is null)
        {
            return result;
        }

        var addressText = address.ToString();
        var answerKey = settingsKey + addressText;
        var now = time.GetUtcNow();
        if (!answers.TryGet(answerKey, now, out var answer))
        {
            try
            {
                answer = await client.GetKeyAsync(addressText, cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryProblemException e) when (e.Status == 404 && !cancellationToken.IsCancellationRequested)
            {
                return await VerifyAbsenceAsync(result, directory.Trusted, address, e.Absence, client, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Classify(e, cancellationToken) is { } failure)
            {
                return result.Fail(failure.Failure, $"key answer from {record.DirectoryUrl}: {failure.Message}");
            }

            answers.Set(answerKey, answer!, now, options.AnswerTtl);
        }

        result.Answer = answer;
        return await VerifyAsync(result, directory.Trusted, address, answer!, client, answerKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The verified directory of <paramref name="dx"/>, from the cache or fetched; null after
    /// failing <paramref name="result"/>. A failure is remembered for DescriptorFailureTtl, so a
    /// dead or bad remote costs one request per window, not one per lookup.
    /// </summary>
    private async Task<CachedDirectory?> DirectoryAsync(FederatedLookup result, DxResult dx, DirectoryHttpClient client, CancellationToken cancellationToken)
    {
        var key = settingsKey + dx.Domain + "|" + dx.RecordText;
        var now = time.GetUtcNow();
        if (descriptors.TryGet(key, now, out var cached))
        {
            result.DescriptorJson = cached!.Json;
            result.Passed(cached.Check + " (cached)");
            return cached;
        }

        if (failures.TryGet(key, now, out var failed))
        {
            result.KeyFailure = failed!.KeyFailure;
            result.Evidence = failed.Evidence;
            result.Fail(failed.Failure, failed.Message + $" (failed within the last {options.DescriptorFailureTtl.TotalSeconds:0} s; not asked again yet)");
            return null;
        }

        var directory = await FetchDirectoryAsync(result, dx, client, key, now, cancellationToken).ConfigureAwait(false);
        if (directory is null)
        {
            failures.Set(key, new CachedFailure(result.Failure, result.KeyFailure, result.Message, result.Evidence), now, options.DescriptorFailureTtl);
        }

        return directory;
    }

    private async Task<CachedDirectory?> FetchDirectoryAsync(FederatedLookup result, DxResult dx, DirectoryHttpClient client, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = dx.Record!;
        var domain = dx.Domain;
        Descriptor descriptor;
        try
        {
            descriptor = await client.GetDescriptorAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Classify(e, cancellationToken) is { } failure)
        {
            result.Fail(failure.Failure, $"descriptor from {record.DirectoryUrl}: {failure.Message}");
            return null;
        }

        // The clock is read again after the fetch: a remote that signs its descriptor on
        // request stamps it with the second it answered, which may be after `now` was taken.
        var fetchedAt = time.GetUtcNow();
        var json = descriptor.ToUtf8Json();
        result.DescriptorJson = json;
        var verification = descriptor.Verify(record, domain, fetchedAt);
        if (!verification.IsValid)
        {
            result.Fail(
                verification.Failure == DescriptorFailure.NoTrustedSignature ? LookupFailure.DescriptorSignature : LookupFailure.DescriptorInvalid,
                $"the descriptor at {record.DirectoryUrl} does not verify under the POKs of _dx.{domain}: {verification.Code}: {verification.Message}");
            return null;
        }

        // The DNS-anchored signer is the one POK given; a scratch state keeps TOFU out of it.
        var trust = TrustedDirectory.Establish(descriptor, record.DirectoryUrl.AbsoluteUri, domain, verification.Signer, new ClientState(), fetchedAt);
        if (!trust.IsTrusted)
        {
            result.Fail(LookupFailure.DescriptorInvalid, trust.Message);
            return null;
        }

        // spec/log-tiles.md §6: full tiles from the advertised static host, if the URL policy allows it.
        var tilesUrl = descriptor.Payload.TilesUrl;
        client.TilesUrl = tilesUrl is not null && DirectoryUrlPolicy.IsAllowed(tilesUrl, options.AllowHttp, out _) ? tilesUrl : null;

        var check = $"descriptor for {domain} signed by POK {Convert.ToBase64String(verification.Signer.Span)} of _dx.{domain}";
        result.Passed(check);
        var configured = await VerifyConfigurationAsync(result, trust.Directory!, client, cancellationToken).ConfigureAwait(false);
        if (configured is null)
        {
            return null;
        }

        check += "; " + configured;
        var entry = new CachedDirectory(trust.Directory!, json, check);
        descriptors.Set(key, entry, now, options.DescriptorTtl);
        return entry;
    }

    private async Task<FederatedLookup> VerifyAsync(FederatedLookup result, TrustedDirectory directory, Address address, KeyAnswer answer,
        DirectoryHttpClient client, string answerKey, CancellationToken cancellationToken)
    {
        // Verified against a snapshot of the state entries it reads, with no lock held (the
        // verification fetches tiles and history), so a slow remote delays only its own
        // lookups; applied under the lock only when no other lookup changed those entries
        // meanwhile, else verified again, unlocked, against a fresh snapshot.
        var addressKey = address.ToString();
        var origin = directory.LogOrigin;
        KeyVerification? verification = null;
        for (var attempt = 0; attempt < MaxVerifyAttempts && verification is null; attempt++)
        {
            var snapshot = await SnapshotAsync(origin, addressKey, cancellationToken).ConfigureAwait(false);
            KeyVerification candidate;
            try
            {
                candidate = await VerifyAgainstAsync(directory, address, answer, snapshot, client, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Classify(e, cancellationToken) is { } failure)
            {
                return result.Fail(failure.Failure, $"tiles or history from {result.DirectoryUrl}: {failure.Message}");
            }

            await stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!Unchanged(snapshot, origin, addressKey))
                {
                    continue;
                }

                verification = candidate;
                result.Signet = verification.Signet;
                result.PassedAll(verification.Checks);
                result.Evidence = verification.Evidence;
                if ((verification.IsValid || verification.IsReset) && MissingRequiredCosignature(origin, answer.Proof) is { } missing)
                {
                    answers.Remove(answerKey);
                    result.KeyFailure = KeyFailure.WitnessPolicy;
                    return result.Fail(LookupFailure.Verification, missing);
                }

                if (verification.IsReset && options.Resets == ResetPolicy.Accept)
                {
                    verification.ApplyTo(State, acceptReset: true);
                    bound.Touch(origin, addressKey);
                    result.ResetAccepted = true;
                    result.Passed($"reset accepted by policy: {verification.Message}");
                }
                else if (verification.IsReset)
                {
                    answers.Remove(answerKey);
                    return result.Fail(LookupFailure.Reset, verification.Message);
                }
                else if (!verification.IsValid)
                {
                    // A bad answer is not reused: the next lookup fetches afresh.
                    answers.Remove(answerKey);
                    result.KeyFailure = verification.Failure;
                    return result.Fail(LookupFailure.Verification, verification.Message);
                }
                else
                {
                    verification.ApplyTo(State);
                    bound.Touch(origin, addressKey);
                }
            }
            finally
            {
                stateLock.Release();
            }
        }

        if (verification is null)
        {
            return result.Fail(LookupFailure.RemoteUnavailable,
                $"{origin} moved under {MaxVerifyAttempts} verifications in a row (other lookups kept advancing it); try again");
        }

        var signet = verification.Signet!;
        if (signet.IsRevoked)
        {
            return result.Fail(LookupFailure.KeyRevoked, $"{address} version {signet.Version} is revoked by its owner");
        }

        var now = (ulong)time.GetUtcNow().ToUnixTimeSeconds();
        if (signet.Expires <= now)
        {
            return result.Fail(LookupFailure.KeyExpired, $"{address} version {signet.Version} expired at {DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(signet.Expires, 253402300799UL)):u}");
        }

        result.Passed($"key valid until {DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(signet.Expires, 253402300799UL)):u}, not revoked");
        result.Message = result.ResetAccepted
            ? $"{address} version {signet.Version} verified (reset accepted)"
            : $"{address} version {signet.Version} verified";
        return result;
    }

    /// <summary>
    /// Options.RequiredCosigner's rule: null when <paramref name="origin"/> needs no particular
    /// cosigner or the checkpoint in <paramref name="document"/> (a tlog-proof or a signed note)
    /// carries its valid cosignature; else why not.
    /// </summary>
    private string? MissingRequiredCosignature(string origin, string document)
    {
        if (Options.RequiredCosigner?.Invoke(origin) is not { } cosigner)
        {
            return null;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(document);
        var note = TlogProof.TryParse(bytes, out var proof) && proof is not null ? proof.Note
            : SignedNote.TryParse(bytes, out var parsed) ? parsed : null;
        var verified = note?.Verify([cosigner]);
        return verified is { IsValid: true }
            ? null
            : $"this directory witnesses {origin} and its own cosignature ({cosigner.Name}) is not on the checkpoint of the answer";
    }

    /// <summary>
    /// spec/configuration.md §6: the remote's logged configuration must be the one its
    /// descriptor advertises; it is pinned in the shared state (verified against a snapshot,
    /// applied under the lock only when nobody moved that origin's entries meanwhile). Returns
    /// the checks made, or null after failing <paramref name="result"/>.
    /// </summary>
    private async Task<string?> VerifyConfigurationAsync(FederatedLookup result, TrustedDirectory directory, DirectoryHttpClient client, CancellationToken cancellationToken)
    {
        var origin = directory.LogOrigin;
        var snapshot = await SnapshotAsync(origin, string.Empty, cancellationToken).ConfigureAwait(false);

        ConfigurationVerification verification;
        try
        {
            var answer = await client.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            verification = await VerifierFor(directory).VerifyConfigurationAsync(directory, answer, snapshot, client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Classify(e, cancellationToken) is { } failure)
        {
            result.Fail(failure.Failure, $"configuration from {result.DirectoryUrl}: {failure.Message}");
            return null;
        }

        if (!verification.IsValid)
        {
            result.KeyFailure = verification.Failure;
            result.Evidence = verification.Evidence;
            result.Fail(LookupFailure.Verification, verification.Message);
            return null;
        }

        await stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Unchanged(snapshot, origin, string.Empty))
            {
                verification.ApplyTo(State);
                bound.Touch(origin, null);
            }
        }
        finally
        {
            stateLock.Release();
        }

        return string.Join("; ", verification.Checks);
    }

    /// <summary>A copy of the state entries a verification reads (the origin's checkpoint and configuration, the address's version), taken under the lock.</summary>
    private async Task<ClientState> SnapshotAsync(string origin, string addressKey, CancellationToken cancellationToken)
    {
        var snapshot = new ClientState();
        await stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (State.Checkpoints.TryGetValue(origin, out var keptCheckpoint))
            {
                snapshot.Checkpoints[origin] = keptCheckpoint;
            }

            if (State.Configurations.TryGetValue(origin, out var pinned))
            {
                snapshot.Configurations[origin] = pinned;
            }

            if (State.Addresses.TryGetValue(addressKey, out var keptAddress))
            {
                snapshot.Addresses[addressKey] = keptAddress;
            }
        }
        finally
        {
            stateLock.Release();
        }

        return snapshot;
    }

    /// <summary>
    /// Under the lock: whether the entries <paramref name="snapshot"/> copied still hold the
    /// same values (a checkpoint of the same size and root, the same pinned configuration, the
    /// same version and key), so a verification against the snapshot holds for the state.
    /// </summary>
    private bool Unchanged(ClientState snapshot, string origin, string addressKey)
    {
        State.Checkpoints.TryGetValue(origin, out var nowCheckpoint);
        snapshot.Checkpoints.TryGetValue(origin, out var thenCheckpoint);
        State.Configurations.TryGetValue(origin, out var nowPinned);
        snapshot.Configurations.TryGetValue(origin, out var thenPinned);
        State.Addresses.TryGetValue(addressKey, out var nowAddress);
        snapshot.Addresses.TryGetValue(addressKey, out var thenAddress);
        return Same(nowCheckpoint, thenCheckpoint, (a, b) => a.Size == b.Size && a.RootHash.AsSpan().SequenceEqual(b.RootHash))
            && Same(nowPinned, thenPinned, (a, b) => a.Number == b.Number && a.LeafIndex == b.LeafIndex && a.Entry.AsSpan().SequenceEqual(b.Entry))
            && Same(nowAddress, thenAddress, (a, b) => a.Version == b.Version && a.LeafIndex == b.LeafIndex
                && string.Equals(a.Origin, b.Origin, StringComparison.Ordinal) && a.SigningKey.AsSpan().SequenceEqual(b.SigningKey));
    }

    private static bool Same<T>(T? now, T? then, Func<T, T, bool> equal)
        where T : class =>
        ReferenceEquals(now, then) || (now is not null && then is not null && equal(now, then));

    private Task<KeyVerification> VerifyAgainstAsync(TrustedDirectory directory, Address address, KeyAnswer answer, ClientState state,
        DirectoryHttpClient client, CancellationToken cancellationToken) =>
        VerifierFor(directory).VerifyAsync(directory, address, answer, state, client, ct => client.GetHistoryAsync(address.ToString(), ct), cancellationToken);

    private KeyVerifier VerifierFor(TrustedDirectory directory) =>
        new(Options.WitnessPolicy, Options.MaxAge, time);

    /// <summary>
    /// A remote's 404 (spec/map.md §4): a verified absence proof is passed on with the result
    /// (lookup.not-found, <see cref="FederatedLookup.Absence"/> set) and its checkpoint kept;
    /// a missing or failing one is a verification failure (verify.absence-unproven or the
    /// checkpoint's own failure). The state's checkpoint is read under the lock, the tiles
    /// fetched without it, and the checkpoint kept only if no other lookup moved it meanwhile.
    /// </summary>
    private async Task<FederatedLookup> VerifyAbsenceAsync(FederatedLookup result, TrustedDirectory directory, Address address, AbsenceProof? absence,
        DirectoryHttpClient client, CancellationToken cancellationToken)
    {
        var origin = directory.LogOrigin;
        var addressKey = address.ToString();
        var snapshot = await SnapshotAsync(origin, addressKey, cancellationToken).ConfigureAwait(false);

        AbsenceVerification verification;
        try
        {
            verification = await VerifierFor(directory).VerifyAbsenceAsync(directory, address, absence, snapshot, client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Classify(e, cancellationToken) is { } failure)
        {
            return result.Fail(failure.Failure, $"tiles from {result.DirectoryUrl}: {failure.Message}");
        }

        result.PassedAll(verification.Checks);
        result.Evidence = verification.Evidence;
        if (!verification.IsProven)
        {
            result.KeyFailure = verification.Failure;
            return result.Fail(LookupFailure.Verification, verification.Message);
        }

        if (MissingRequiredCosignature(origin, absence!.Checkpoint) is { } missing)
        {
            result.KeyFailure = KeyFailure.WitnessPolicy;
            return result.Fail(LookupFailure.Verification, missing);
        }

        await stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Unchanged(snapshot, origin, addressKey))
            {
                verification.ApplyTo(State);
                bound.Touch(origin, null);
            }
        }
        finally
        {
            stateLock.Release();
        }

        result.Absence = absence;
        return result.Fail(LookupFailure.NotFound, $"{result.DirectoryUrl} has no key for {address}: absent (proven)");
    }

    private DirectoryHttpClient ClientFor(Uri url, string domain)
    {
        var key = domain + " " + url.AbsoluteUri;
        if (clients.TryGetValue(key, out var client))
        {
            return client;
        }

        client = new DirectoryHttpClient(http, url, pipelines.For(domain))
        {
            RedirectPolicy = next => DirectoryUrlPolicy.CheckRedirect(next, options.AllowHttp),
        };
        return clients.Count >= options.MaxEntries ? client : clients.GetOrAdd(key, client);
    }

    private static (LookupFailure Failure, string Message)? Classify(Exception e, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return e switch
        {
            BrokenCircuitException => (LookupFailure.CircuitOpen, "the circuit breaker for this domain is open after repeated failures; no call was made"),
            DirectoryHttpException { Code: "http.address-forbidden" } h => (LookupFailure.AddressForbidden, $"{h.Code}: {h.Message}"),
            DirectoryHttpException h when DirectoryHttpClient.IsTransient(h) => (LookupFailure.RemoteUnavailable, $"{h.Code}: {h.Message}"),
            DirectoryHttpException h => (LookupFailure.BadAnswer, $"{h.Code}: {h.Message}"),
            InvalidFormatException f => (LookupFailure.BadAnswer, $"{f.Code}: {f.Message}"),
            Polly.Timeout.TimeoutRejectedException => (LookupFailure.RemoteUnavailable, "timed out"),
            HttpRequestException or IOException => (LookupFailure.RemoteUnavailable, e.Message.ReplaceLineEndings(" ")),
            OperationCanceledException => (LookupFailure.RemoteUnavailable, "timed out"),
            _ => null,
        };
    }

    private sealed record CachedDirectory(TrustedDirectory Trusted, ReadOnlyMemory<byte> Json, string Check);

    private sealed record CachedFailure(LookupFailure Failure, KeyFailure KeyFailure, string Message, ForkEvidence? Evidence);
}
