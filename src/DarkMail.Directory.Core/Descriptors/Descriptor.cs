// DESIGN §3, §7; spec/descriptor.md: the signed directory descriptor as served at
// /.well-known/dx-directory. Wire form (UTF-8 JSON, at most 96 KiB):
//   {"payload":"<padded base64 of the payload bytes>",
//    "signatures":[{"pok":"<unpadded base64, 32 bytes>","sig":"<padded base64, 64 bytes>"}]}
// with 1..8 signatures by distinct POKs, each Ed25519 over
// "dmd/descriptor/v1\n" || payload bytes — the exact bytes received, never re-serialised.
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Transparency;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Descriptors;

public sealed class Descriptor
{
    /// <summary>Largest wire document, in bytes (96 KiB: a 64 KiB payload in base64 plus signatures).</summary>
    public const int MaxWireSize = 96 * 1024;

    public const int MaxSignatures = 8;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    // The signed message, built once: context || payload. PayloadBytes is a view into it.
    private readonly byte[] signedMessage;
    private readonly DescriptorSignature[] signatures;
    private IReadOnlyList<DescriptorSignature>? signatureView;

    private Descriptor(byte[] signedMessage, DescriptorPayload payload, DescriptorSignature[] signatures)
    {
        this.signedMessage = signedMessage;
        Payload = payload;
        this.signatures = signatures;
    }

    /// <summary>Domain separation for descriptor signatures.</summary>
    public static ReadOnlySpan<byte> SignatureContext => "dmd/descriptor/v1\n"u8;

    /// <summary>The exact payload bytes that were signed.</summary>
    public ReadOnlyMemory<byte> PayloadBytes => signedMessage.AsMemory(SignatureContext.Length);

    /// <summary>The parsed payload (from <see cref="PayloadBytes"/>). Not authenticated until <see cref="Verify(IReadOnlyList{ReadOnlyMemory{byte}}, string, DateTimeOffset)"/> says so.</summary>
    public DescriptorPayload Payload { get; }

    public IReadOnlyList<DescriptorSignature> Signatures => signatureView ??= Array.AsReadOnly(signatures);

    public static Descriptor Sign(DescriptorPayload payload, Key pok)
    {
        ArgumentNullException.ThrowIfNull(pok);
        return Sign(payload, [pok]);
    }

    /// <summary>Signs with several POKs, e.g. the old and the new one during a rollover.</summary>
    public static Descriptor Sign(DescriptorPayload payload, IReadOnlyList<Key> poks)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return Sign(payload.ToUtf8Json(), poks);
    }

    /// <summary>
    /// Signs exact payload bytes. Throws <see cref="InvalidFormatException"/> if they are not
    /// a valid payload, and <see cref="ArgumentException"/> if a key is not Ed25519, repeats,
    /// or is not listed in the payload's poks.
    /// </summary>
    public static Descriptor Sign(ReadOnlySpan<byte> payloadUtf8, IReadOnlyList<Key> poks)
    {
        ArgumentNullException.ThrowIfNull(poks);
        if (poks.Count is 0 or > MaxSignatures)
        {
            throw new ArgumentException($"A descriptor carries 1 to {MaxSignatures} signatures.", nameof(poks));
        }

        var message = new byte[SignatureContext.Length + payloadUtf8.Length];
        SignatureContext.CopyTo(message);
        payloadUtf8.CopyTo(message.AsSpan(SignatureContext.Length));
        var payload = DescriptorPayload.Parse(message.AsMemory(SignatureContext.Length));

        var result = new DescriptorSignature[poks.Count];
        for (var i = 0; i < poks.Count; i++)
        {
            var key = poks[i] ?? throw new ArgumentException("A key is null.", nameof(poks));
            if (key.Algorithm != SignatureAlgorithm.Ed25519)
            {
                throw new ArgumentException("A POK is an Ed25519 key.", nameof(poks));
            }

            var publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            if (!payload.ContainsPok(publicKey))
            {
                throw new ArgumentException("The payload's poks do not list this signing key.", nameof(poks));
            }

            for (var j = 0; j < i; j++)
            {
                if (result[j].Pok.Span.SequenceEqual(publicKey))
                {
                    throw new ArgumentException("The same POK signs twice.", nameof(poks));
                }
            }

            result[i] = DescriptorSignature.Owned(publicKey, SignatureAlgorithm.Ed25519.Sign(key, message));
        }

        return new Descriptor(message, payload, result);
    }

    /// <summary>
    /// Parses the wire form strictly, payload included. Throws
    /// <see cref="InvalidFormatException"/> with a <c>descriptor.*</c> code.
    /// </summary>
    public static Descriptor Parse(ReadOnlyMemory<byte> utf8Json)
    {
        var bytes = utf8Json.Span;
        if (bytes.Length > MaxWireSize)
        {
            throw DescriptorPayload.Error("descriptor.too-large", $"The descriptor is longer than {MaxWireSize} bytes.");
        }

        if (bytes.StartsWith("\uFEFF"u8) || !Utf8.IsValid(bytes))
        {
            throw DescriptorPayload.Error("descriptor.json", "The descriptor is not UTF-8 JSON without a byte order mark.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException)
        {
            throw DescriptorPayload.Error("descriptor.json", "The descriptor is not strict JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw DescriptorPayload.Error("descriptor.json", "The descriptor is not a JSON object.");
            }

            var payloadElement = DescriptorPayload.Required(root, "payload", JsonValueKind.String);
            var list = DescriptorPayload.Required(root, "signatures", JsonValueKind.Array);
            var count = list.GetArrayLength();
            if (count == 0)
            {
                throw DescriptorPayload.Error("descriptor.no-signatures", "signatures is empty.");
            }

            if (count > MaxSignatures)
            {
                throw DescriptorPayload.Error("descriptor.too-many-signatures", $"More than {MaxSignatures} signatures.");
            }

            var parsed = new DescriptorSignature[count];
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw DescriptorPayload.Error("descriptor.field-type", "signatures[] must be a JSON object.");
                }

                var pok = new byte[DescriptorSignature.PokSize];
                if (!DecodeString(DescriptorPayload.Required(item, "pok", JsonValueKind.String, "signatures[].pok"), padded: false, pok))
                {
                    throw DescriptorPayload.Error("descriptor.bad-signature-pok", $"signatures[{index}].pok is not unpadded base64 of a 32-byte key.");
                }

                var sig = new byte[DescriptorSignature.SignatureSize];
                if (!DecodeString(DescriptorPayload.Required(item, "sig", JsonValueKind.String, "signatures[].sig"), padded: true, sig))
                {
                    throw DescriptorPayload.Error("descriptor.bad-signature-value", $"signatures[{index}].sig is not padded base64 of a 64-byte signature.");
                }

                for (var j = 0; j < index; j++)
                {
                    if (parsed[j].Pok.Span.SequenceEqual(pok))
                    {
                        throw DescriptorPayload.Error("descriptor.duplicate-signer", "Two signatures name the same POK.");
                    }
                }

                parsed[index++] = DescriptorSignature.Owned(pok, sig);
            }

            var message = DecodePayload(payloadElement);
            var payload = DescriptorPayload.Parse(message.AsMemory(SignatureContext.Length));
            return new Descriptor(message, payload, parsed);
        }
    }

    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, [NotNullWhen(true)] out Descriptor? descriptor)
    {
        try
        {
            descriptor = Parse(utf8Json);
            return true;
        }
        catch (InvalidFormatException)
        {
            descriptor = null;
            return false;
        }
    }

    /// <summary>The compact wire form, members in the order shown in the header.</summary>
    public byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>(PayloadBytes.Length * 4 / 3 + 64 + (signatures.Length * 160));
        using (var writer = new Utf8JsonWriter(buffer, DescriptorPayload.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteBase64String("payload"u8, PayloadBytes.Span);
            writer.WriteStartArray("signatures"u8);
            foreach (var signature in signatures)
            {
                writer.WriteStartObject();
                writer.WriteString("pok"u8, StrictBase64.Encode(signature.Pok.Span, padded: false));
                writer.WriteBase64String("sig"u8, signature.Signature.Span);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Valid iff at least one signature by a trusted POK verifies, no signature naming a
    /// trusted POK fails, every trusted signer is listed in the payload's poks, the payload's
    /// domain is <paramref name="expectedDomain"/>, and issued &lt;= now &lt; expires.
    /// Signatures by untrusted POKs are ignored. Checks run in that order; the first
    /// failing one is reported.
    /// </summary>
    public DescriptorVerification Verify(IReadOnlyList<ReadOnlyMemory<byte>> trustedPoks, string expectedDomain, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(trustedPoks);
        ArgumentNullException.ThrowIfNull(expectedDomain);
        if (!DomainName.IsNormalized(expectedDomain))
        {
            throw new ArgumentException("The expected domain must be a normalised domain name (spec/addresses.md: lower-case A-labels, no trailing dot).", nameof(expectedDomain));
        }

        for (var i = 0; i < trustedPoks.Count; i++)
        {
            if (trustedPoks[i].Length != DescriptorSignature.PokSize)
            {
                throw new ArgumentException("A trusted POK is 32 bytes.", nameof(trustedPoks));
            }
        }

        var signer = ReadOnlyMemory<byte>.Empty;
        var unlisted = false;
        foreach (var signature in signatures)
        {
            if (!IsTrusted(trustedPoks, signature.Pok.Span))
            {
                continue;
            }

            if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, signature.Pok.Span, KeyBlobFormat.RawPublicKey, out var publicKey)
                || publicKey is null
                || !SignatureAlgorithm.Ed25519.Verify(publicKey, signedMessage, signature.Signature.Span))
            {
                return DescriptorVerification.Fail(DescriptorFailure.BadSignature, $"The signature by trusted POK {StrictBase64.Encode(signature.Pok.Span, padded: false)} does not verify.");
            }

            unlisted |= !Payload.ContainsPok(signature.Pok.Span);
            if (signer.IsEmpty)
            {
                signer = signature.Pok;
            }
        }

        if (signer.IsEmpty)
        {
            return DescriptorVerification.Fail(DescriptorFailure.NoTrustedSignature, "No signature is by a trusted POK.");
        }

        if (unlisted)
        {
            return DescriptorVerification.Fail(DescriptorFailure.SignerNotListed, "A trusted POK signed but the payload's poks do not list it.");
        }

        if (!string.Equals(Payload.Domain, expectedDomain, StringComparison.Ordinal))
        {
            return DescriptorVerification.Fail(DescriptorFailure.DomainMismatch, $"The descriptor is for {Payload.Domain}, not {expectedDomain}.");
        }

        if (now < Payload.Issued)
        {
            return DescriptorVerification.Fail(DescriptorFailure.NotYetValid, $"The descriptor is issued at {DescriptorPayload.FormatTime(Payload.Issued)}, after now.");
        }

        if (now >= Payload.Expires)
        {
            return DescriptorVerification.Fail(DescriptorFailure.Expired, $"The descriptor expired at {DescriptorPayload.FormatTime(Payload.Expires)}.");
        }

        return DescriptorVerification.Valid(signer);
    }

    public DescriptorVerification Verify(IReadOnlyList<ReadOnlyMemory<byte>> trustedPoks, string expectedDomain, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Verify(trustedPoks, expectedDomain, time.GetUtcNow());
    }

    /// <summary>
    /// Verifies against a parsed <c>_dx</c> record: its POKs are the trusted set, and after
    /// all other checks pass the payload's directory_url must equal the record's dir.
    /// </summary>
    public DescriptorVerification Verify(DxRecord record, string expectedDomain, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        var result = Verify(record.Poks, expectedDomain, now);
        if (result.IsValid && !string.Equals(DxUrl.Canonical(Payload.DirectoryUrl), DxUrl.Canonical(record.DirectoryUrl), StringComparison.Ordinal))
        {
            return DescriptorVerification.Fail(DescriptorFailure.DirectoryMismatch, "The descriptor's directory_url differs from the DNS record's dir.");
        }

        return result;
    }

    public DescriptorVerification Verify(DxRecord record, string expectedDomain, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Verify(record, expectedDomain, time.GetUtcNow());
    }

    private static bool IsTrusted(IReadOnlyList<ReadOnlyMemory<byte>> trusted, ReadOnlySpan<byte> pok)
    {
        for (var i = 0; i < trusted.Count; i++)
        {
            if (trusted[i].Span.SequenceEqual(pok))
            {
                return true;
            }
        }

        return false;
    }

    // Base64 never needs JSON escapes, so the raw token is decoded in place; an escaped
    // token (legal JSON, e.g. "\/") is unescaped first.
    private static bool DecodeString(JsonElement element, bool padded, Span<byte> destination)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        raw = raw[1..^1];
        return raw.IndexOf((byte)'\\') < 0
            ? StrictBase64.TryDecodeExact(raw, padded, destination)
            : StrictBase64.TryDecodeExact(element.GetString().AsSpan(), padded, destination);
    }

    private static byte[] DecodePayload(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element)[1..^1];
        string? unescaped = null;
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            unescaped = element.GetString()!;
        }

        var length = unescaped is null ? StrictBase64.DecodedLength(raw, padded: true) : StrictBase64.DecodedLength(unescaped.AsSpan(), padded: true);
        if (length > DescriptorPayload.MaxSize)
        {
            throw DescriptorPayload.Error("descriptor.payload-too-large", $"The payload is longer than {DescriptorPayload.MaxSize} bytes.");
        }

        if (length < 0)
        {
            throw DescriptorPayload.Error("descriptor.bad-payload", "payload is not padded base64.");
        }

        var message = new byte[SignatureContext.Length + length];
        SignatureContext.CopyTo(message);
        var ok = unescaped is null
            ? StrictBase64.TryDecodeExact(raw, padded: true, message.AsSpan(SignatureContext.Length))
            : StrictBase64.TryDecodeExact(unescaped.AsSpan(), padded: true, message.AsSpan(SignatureContext.Length));
        if (!ok)
        {
            throw DescriptorPayload.Error("descriptor.bad-payload", "payload is not padded base64.");
        }

        return message;
    }
}
