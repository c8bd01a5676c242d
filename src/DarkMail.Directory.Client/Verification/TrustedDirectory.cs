// DESIGN §3, §7; spec/cli.md "Trusting a directory": a descriptor becomes trusted when it
// verifies (Descriptor.Verify: signature, listed signer, domain, validity window) under a
// POK the user gave (--pok), else under the POKs kept for that server on first use, else,
// on first contact, under its own POKs (trust on first use, kept for next time). What the
// other checks need from it is parsed once here: the POKs as Ed25519 keys, the log's note
// verifier and origin, and the VRF public key.
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency.Notes;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Verification;

public enum TrustSource
{
    /// <summary>A POK the caller gave.</summary>
    GivenPok,

    /// <summary>POKs kept in the state from an earlier first contact.</summary>
    Kept,

    /// <summary>First contact: the descriptor's own POKs, now kept.</summary>
    FirstUse,
}

public sealed class TrustedDirectory
{
    private TrustedDirectory(Descriptor descriptor, TrustSource source, PublicKey[] poks, NoteVerifier logKey, VrfPublicKey vrfKey)
    {
        Descriptor = descriptor;
        Source = source;
        Poks = poks;
        LogKey = logKey;
        VrfKey = vrfKey;
    }

    public Descriptor Descriptor { get; }

    public TrustSource Source { get; }

    public string Domain => Descriptor.Payload.Domain;

    public string LogOrigin => Descriptor.Payload.LogOrigin;

    public IReadOnlyList<PublicKey> Poks { get; }

    public NoteVerifier LogKey { get; }

    public VrfPublicKey VrfKey { get; }

    /// <summary>
    /// Verifies <paramref name="descriptor"/> as served by <paramref name="serverKey"/> (the
    /// directory URL). <paramref name="expectedDomain"/> is the domain of the address looked
    /// up, or null to take the kept or served domain. On first use the state gains the
    /// server's POKs (the caller saves it).
    /// </summary>
    public static TrustResult Establish(Descriptor descriptor, string serverKey, string? expectedDomain, ReadOnlyMemory<byte>? givenPok, ClientState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentException.ThrowIfNullOrEmpty(serverKey);
        ArgumentNullException.ThrowIfNull(state);
        if (givenPok is { Length: not DescriptorSignature.PokSize })
        {
            throw new ArgumentException("A POK is a 32-byte Ed25519 public key.", nameof(givenPok));
        }

        TrustSource source;
        IReadOnlyList<ReadOnlyMemory<byte>> trusted;
        string domain;
        state.Servers.TryGetValue(serverKey, out var kept);
        if (givenPok is { } pok)
        {
            source = TrustSource.GivenPok;
            trusted = [pok];
            domain = expectedDomain ?? kept?.Domain ?? descriptor.Payload.Domain;
        }
        else if (kept is not null)
        {
            source = TrustSource.Kept;
            trusted = [.. kept.Poks.Select(p => (ReadOnlyMemory<byte>)p)];
            domain = expectedDomain ?? kept.Domain;
        }
        else
        {
            source = TrustSource.FirstUse;
            trusted = descriptor.Payload.Poks;
            domain = expectedDomain ?? descriptor.Payload.Domain;
        }

        var result = descriptor.Verify(trusted, domain, now);
        if (!result.IsValid)
        {
            var failure = result.Failure == DescriptorFailure.NoTrustedSignature ? KeyFailure.DescriptorUntrusted : KeyFailure.DescriptorInvalid;
            var why = source switch
            {
                TrustSource.GivenPok => "under the given POK",
                TrustSource.Kept => "under the POKs kept for this server (has its POK changed?)",
                _ => "on first use",
            };
            return new TrustResult(null, failure, $"The descriptor does not verify {why}: {result.Code}: {result.Message}");
        }

        if (!VerifierKey.TryParse(descriptor.Payload.LogVerifierKey, out var logKey) || logKey is null)
        {
            return new TrustResult(null, KeyFailure.DescriptorInvalid, "The descriptor's log verifier key does not parse.");
        }

        if (!VrfPublicKey.TryImport(descriptor.Payload.VrfPublicKey.Span, out var vrfKey))
        {
            return new TrustResult(null, KeyFailure.DescriptorInvalid, "The descriptor's VRF public key is not a valid ristretto255 key.");
        }

        var poks = new List<PublicKey>(descriptor.Payload.Poks.Count);
        foreach (var raw in descriptor.Payload.Poks)
        {
            if (PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw.Span, KeyBlobFormat.RawPublicKey, out var key) && key is not null)
            {
                poks.Add(key);
            }
        }

        if (source == TrustSource.FirstUse || (source == TrustSource.GivenPok && kept is null))
        {
            state.Servers[serverKey] = new KeptServer(descriptor.Payload.Domain, [.. descriptor.Payload.Poks.Select(p => p.ToArray())]);
        }

        return new TrustResult(new TrustedDirectory(descriptor, source, [.. poks], logKey, vrfKey), KeyFailure.None,
            $"descriptor for {descriptor.Payload.Domain} signed by POK {Convert.ToBase64String(result.Signer.Span)} ({Describe(source)})");
    }

    private static string Describe(TrustSource source) => source switch
    {
        TrustSource.GivenPok => "given with --pok",
        TrustSource.Kept => "kept from first use",
        _ => "trusted on first use",
    };
}

/// <summary>The outcome of <see cref="TrustedDirectory.Establish"/>: a directory, or a failure with its reason.</summary>
public sealed record TrustResult(TrustedDirectory? Directory, KeyFailure Failure, string Message)
{
    public bool IsTrusted => Failure == KeyFailure.None;

    public string? Code => Failure.Code();
}
