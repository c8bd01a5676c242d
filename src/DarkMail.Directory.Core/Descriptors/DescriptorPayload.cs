// DESIGN §3, §7; spec/descriptor.md "Payload": the JSON document a directory signs with a
// POK and serves (inside the wire form) at /.well-known/dx-directory. UTF-8 JSON object,
// at most 64 KiB, snake_case fields: version (1), domain, directory_url, poks (1..8
// unpadded base64 Ed25519 keys), log {origin = "<domain>/dmd", verifier_key},
// vrf_public_key (unpadded base64, 32 bytes), witness {cosigner_key}, witness_policy
// {quorum, witnesses}, limits {4 integers}, issued and expires (RFC 3339 UTC, whole
// seconds), and optionally tiles_url (issue 12: where full tiles and bundles are also served). Unknown fields are ignored at every level so later versions can add some;
// duplicate member names are rejected so no two readers can see different values.
using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Core.Descriptors;

public sealed class DescriptorPayload
{
    public const int CurrentVersion = 1;

    /// <summary>Largest payload, in bytes (64 KiB).</summary>
    public const int MaxSize = 64 * 1024;

    public const int MaxPoks = 8;

    public const int KeySize = 32;

    /// <summary>Longest vkey string any key field accepts.</summary>
    internal const int MaxVerifierKeyLength = 512;

    internal const string TimeFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    private readonly ReadOnlyMemory<byte>[] poks;
    private IReadOnlyList<ReadOnlyMemory<byte>>? pokView;

    /// <summary>
    /// Builds a payload to sign. Throws <see cref="ArgumentException"/> unless every value
    /// is one <see cref="Parse"/> would accept (times must be UTC whole seconds).
    /// </summary>
    public DescriptorPayload(
        string domain,
        Uri directoryUrl,
        IEnumerable<ReadOnlyMemory<byte>> poks,
        string logVerifierKey,
        ReadOnlyMemory<byte> vrfPublicKey,
        string witnessCosignerKey,
        WitnessPolicyAdvice witnessPolicy,
        DescriptorLimits limits,
        DateTimeOffset issued,
        DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(directoryUrl);
        ArgumentNullException.ThrowIfNull(poks);
        ArgumentNullException.ThrowIfNull(logVerifierKey);
        ArgumentNullException.ThrowIfNull(witnessCosignerKey);
        ArgumentNullException.ThrowIfNull(witnessPolicy);
        if (!DomainName.IsNormalized(domain))
        {
            throw new ArgumentException("The domain must be a normalised domain name (spec/addresses.md: lower-case A-labels, no trailing dot).", nameof(domain));
        }

        if (!directoryUrl.IsAbsoluteUri || !DxUrl.TryParse(directoryUrl.AbsoluteUri, out var url))
        {
            throw new ArgumentException("The directory URL must be an absolute http or https URL without userinfo, query, fragment or ';'.", nameof(directoryUrl));
        }

        var keys = poks.ToArray();
        if (keys.Length is 0 or > MaxPoks)
        {
            throw new ArgumentException($"A descriptor lists 1 to {MaxPoks} POKs.", nameof(poks));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i].Length != KeySize)
            {
                throw new ArgumentException("A POK is a 32-byte Ed25519 public key.", nameof(poks));
            }

            keys[i] = keys[i].ToArray();
            if (IndexOf(keys.AsSpan(0, i), keys[i].Span) >= 0)
            {
                throw new ArgumentException("A POK is listed twice.", nameof(poks));
            }
        }

        if (!IsLogKey(logVerifierKey))
        {
            throw new ArgumentException("The log verifier key must be an Ed25519 (type 0x01) signed-note vkey string.", nameof(logVerifierKey));
        }

        if (vrfPublicKey.Length != KeySize)
        {
            throw new ArgumentException("The VRF public key is 32 bytes.", nameof(vrfPublicKey));
        }

        if (!IsWitnessKey(witnessCosignerKey))
        {
            throw new ArgumentException("The witness cosigner key must be an Ed25519 vkey string.", nameof(witnessCosignerKey));
        }

        if (!limits.IsValid)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), "Every limit is positive.");
        }

        if (!IsWholeUtcSecond(issued) || !IsWholeUtcSecond(expires) || expires <= issued)
        {
            throw new ArgumentException("issued and expires are UTC whole seconds with expires after issued.", nameof(expires));
        }

        Domain = domain;
        DirectoryUrl = url;
        this.poks = keys;
        LogVerifierKey = logVerifierKey;
        VrfPublicKey = vrfPublicKey.ToArray();
        WitnessCosignerKey = witnessCosignerKey;
        WitnessPolicy = witnessPolicy;
        Limits = limits;
        Issued = issued;
        Expires = expires;
    }

    private DescriptorPayload(
        string domain,
        Uri directoryUrl,
        ReadOnlyMemory<byte>[] poks,
        string logVerifierKey,
        ReadOnlyMemory<byte> vrfPublicKey,
        string witnessCosignerKey,
        WitnessPolicyAdvice witnessPolicy,
        DescriptorLimits limits,
        DateTimeOffset issued,
        DateTimeOffset expires)
    {
        Domain = domain;
        DirectoryUrl = directoryUrl;
        this.poks = poks;
        LogVerifierKey = logVerifierKey;
        VrfPublicKey = vrfPublicKey;
        WitnessCosignerKey = witnessCosignerKey;
        WitnessPolicy = witnessPolicy;
        Limits = limits;
        Issued = issued;
        Expires = expires;
    }

    public int Version => CurrentVersion;

    /// <summary>Lower-case A-label domain the descriptor speaks for.</summary>
    public string Domain { get; }

    public Uri DirectoryUrl { get; }

    /// <summary>The POKs in force, in document order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Poks => pokView ??= Array.AsReadOnly(poks);

    /// <summary>The log's origin line: always <c>&lt;domain&gt;/dmd</c>.</summary>
    public string LogOrigin => Domain + "/dmd";

    /// <summary>The log key as a signed-note vkey string (type 0x01).</summary>
    public string LogVerifierKey { get; }

    public ReadOnlyMemory<byte> VrfPublicKey { get; }

    /// <summary>The domain's own witness cosigner key as a vkey string.</summary>
    public string WitnessCosignerKey { get; }

    /// <summary>The witness policy the descriptor advises; <see cref="WitnessPolicyAdvice.ToWitnessPolicy"/> makes it usable for proof verification.</summary>
    public WitnessPolicyAdvice WitnessPolicy { get; }

    public DescriptorLimits Limits { get; }

    public DateTimeOffset Issued { get; }

    public DateTimeOffset Expires { get; }

    /// <summary>
    /// Optional member <c>tiles_url</c> (spec/descriptor.md §4): a static tlog-tiles prefix
    /// (e.g. a CDN) that also serves the log's full tiles and entry bundles; null when absent.
    /// Untrusted like the directory: what it serves is verified against signed checkpoints.
    /// </summary>
    public Uri? TilesUrl
    {
        get;
        init => field = value is null ? null
            : TryParseTilesUrl(value.IsAbsoluteUri ? value.AbsoluteUri : value.OriginalString, out var url) ? url
            : throw new ArgumentException("The tiles URL must be an absolute http or https URL ending in '/' without userinfo, query, fragment or ';'.", nameof(value));
    }

    /// <summary>The rule for <c>tiles_url</c>: a directory URL (spec/dns-record.md §5) whose path ends in '/'.</summary>
    public static bool TryParseTilesUrl(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? url)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (DxUrl.TryParse(text, out var parsed) && parsed.AbsolutePath.EndsWith('/'))
        {
            url = parsed;
            return true;
        }

        url = null;
        return false;
    }

    public bool ContainsPok(ReadOnlySpan<byte> pok) => IndexOf(poks, pok) >= 0;

    /// <summary>
    /// Compact UTF-8 JSON with fields in the order of spec/descriptor.md. Only for producing
    /// a payload to sign: verifiers check the bytes they received, never this output.
    /// </summary>
    public byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version"u8, CurrentVersion);
            writer.WriteString("domain"u8, Domain);
            writer.WriteString("directory_url"u8, DxUrl.Canonical(DirectoryUrl));
            writer.WriteStartArray("poks"u8);
            foreach (var key in poks)
            {
                writer.WriteStringValue(StrictBase64.Encode(key.Span, padded: false));
            }

            writer.WriteEndArray();
            writer.WriteStartObject("log"u8);
            writer.WriteString("origin"u8, LogOrigin);
            writer.WriteString("verifier_key"u8, LogVerifierKey);
            writer.WriteEndObject();
            writer.WriteString("vrf_public_key"u8, StrictBase64.Encode(VrfPublicKey.Span, padded: false));
            writer.WriteStartObject("witness"u8);
            writer.WriteString("cosigner_key"u8, WitnessCosignerKey);
            writer.WriteEndObject();
            writer.WriteStartObject("witness_policy"u8);
            writer.WriteNumber("quorum"u8, WitnessPolicy.Quorum);
            writer.WriteStartArray("witnesses"u8);
            foreach (var witness in WitnessPolicy.Witnesses)
            {
                writer.WriteStringValue(witness);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartObject("limits"u8);
            writer.WriteNumber("max_request_bytes"u8, Limits.MaxRequestBytes);
            writer.WriteNumber("max_signet_bytes"u8, Limits.MaxSignetBytes);
            writer.WriteNumber("lookups_per_minute"u8, Limits.LookupsPerMinute);
            writer.WriteNumber("submissions_per_minute"u8, Limits.SubmissionsPerMinute);
            writer.WriteEndObject();
            writer.WriteString("issued"u8, FormatTime(Issued));
            writer.WriteString("expires"u8, FormatTime(Expires));
            if (TilesUrl is not null)
            {
                writer.WriteString("tiles_url"u8, DxUrl.Canonical(TilesUrl));
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Parses payload bytes strictly. Throws <see cref="InvalidFormatException"/> with a
    /// <c>descriptor.*</c> code (spec/descriptor.md lists them).
    /// </summary>
    public static DescriptorPayload Parse(ReadOnlyMemory<byte> utf8Json)
    {
        var bytes = utf8Json.Span;
        if (bytes.Length > MaxSize)
        {
            throw Error("descriptor.payload-too-large", $"The payload is longer than {MaxSize} bytes.");
        }

        // A BOM or invalid UTF-8 would let two readers see different text.
        if (bytes.StartsWith("\uFEFF"u8) || !Utf8.IsValid(bytes))
        {
            throw Error("descriptor.payload-json", "The payload is not UTF-8 JSON without a byte order mark.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw Error("descriptor.payload-json", "The payload is not strict JSON: " + FirstLine(e.Message));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error("descriptor.payload-json", "The payload is not a JSON object.");
            }

            return ParseRoot(root);
        }
    }

    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DescriptorPayload? payload)
    {
        try
        {
            payload = Parse(utf8Json);
            return true;
        }
        catch (InvalidFormatException)
        {
            payload = null;
            return false;
        }
    }

    private static DescriptorPayload ParseRoot(JsonElement root)
    {
        var version = Required(root, "version", JsonValueKind.Number);
        if (!TryReadInteger(version, out var versionNumber) || versionNumber != CurrentVersion)
        {
            throw Error("descriptor.unsupported-version", "The payload version is not 1, the only version supported.");
        }

        var domain = Required(root, "domain", JsonValueKind.String).GetString()!;
        if (!DomainName.IsNormalized(domain))
        {
            throw Error("descriptor.bad-domain", "domain is not a normalised domain name (lower-case A-labels, at least two labels, as for addresses).");
        }

        var urlText = Required(root, "directory_url", JsonValueKind.String).GetString()!;
        if (!DxUrl.TryParse(urlText, out var url))
        {
            throw Error("descriptor.bad-directory-url", "directory_url is not an absolute http(s) URL without userinfo, query, fragment or ';'.");
        }

        var pokArray = Required(root, "poks", JsonValueKind.Array);
        var pokCount = pokArray.GetArrayLength();
        if (pokCount == 0)
        {
            throw Error("descriptor.no-poks", "poks is empty.");
        }

        if (pokCount > MaxPoks)
        {
            throw Error("descriptor.too-many-poks", $"poks lists more than {MaxPoks} keys.");
        }

        var keys = new ReadOnlyMemory<byte>[pokCount];
        var index = 0;
        foreach (var item in pokArray.EnumerateArray())
        {
            var key = DecodeKey(item, "poks[]", "descriptor.bad-pok");
            if (IndexOf(keys.AsSpan(0, index), key.Span) >= 0)
            {
                throw Error("descriptor.duplicate-pok", "poks lists the same key twice.");
            }

            keys[index++] = key;
        }

        var log = Required(root, "log", JsonValueKind.Object);
        var origin = Required(log, "origin", JsonValueKind.String, "log.origin");
        if (!origin.ValueEquals(domain + "/dmd"))
        {
            throw Error("descriptor.bad-log-origin", "log.origin is not \"<domain>/dmd\".");
        }

        var logKey = Required(log, "verifier_key", JsonValueKind.String, "log.verifier_key").GetString()!;
        if (!IsLogKey(logKey))
        {
            throw Error("descriptor.bad-verifier-key", "log.verifier_key is not an Ed25519 (type 0x01) signed-note vkey string.");
        }

        var vrfKey = DecodeKey(Required(root, "vrf_public_key", JsonValueKind.String), "vrf_public_key", "descriptor.bad-vrf-key");

        var witness = Required(root, "witness", JsonValueKind.Object);
        var cosignerKey = Required(witness, "cosigner_key", JsonValueKind.String, "witness.cosigner_key").GetString()!;
        if (!IsWitnessKey(cosignerKey))
        {
            throw Error("descriptor.bad-cosigner-key", "witness.cosigner_key is not an Ed25519 vkey string.");
        }

        var policy = ParsePolicy(Required(root, "witness_policy", JsonValueKind.Object));

        var limitsElement = Required(root, "limits", JsonValueKind.Object);
        var limits = new DescriptorLimits(
            Limit(limitsElement, "max_request_bytes"),
            Limit(limitsElement, "max_signet_bytes"),
            Limit(limitsElement, "lookups_per_minute"),
            Limit(limitsElement, "submissions_per_minute"));

        var issued = Time(root, "issued");
        var expires = Time(root, "expires");
        if (expires <= issued)
        {
            throw Error("descriptor.bad-validity", "expires is not after issued.");
        }

        Uri? tilesUrl = null;
        if (root.TryGetProperty("tiles_url", out var tilesElement))
        {
            if (tilesElement.ValueKind != JsonValueKind.String)
            {
                throw Error("descriptor.field-type", "tiles_url is not a string.");
            }

            if (!TryParseTilesUrl(tilesElement.GetString()!, out tilesUrl))
            {
                throw Error("descriptor.bad-tiles-url", "tiles_url is not an absolute http(s) URL ending in '/' without userinfo, query, fragment or ';'.");
            }
        }

        return new DescriptorPayload(domain, url, keys, logKey, vrfKey, cosignerKey, policy, limits, issued, expires) { TilesUrl = tilesUrl };
    }

    private static WitnessPolicyAdvice ParsePolicy(JsonElement element)
    {
        var quorumElement = Required(element, "quorum", JsonValueKind.Number, "witness_policy.quorum");
        var list = Required(element, "witnesses", JsonValueKind.Array, "witness_policy.witnesses");
        var count = list.GetArrayLength();
        if (count > WitnessPolicyAdvice.MaxWitnesses)
        {
            throw Error("descriptor.too-many-witnesses", $"witness_policy.witnesses lists more than {WitnessPolicyAdvice.MaxWitnesses} keys.");
        }

        var witnesses = new string[count];
        var verifiers = new NoteVerifier[count];
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw Error("descriptor.field-type", "witness_policy.witnesses[] must be a string.");
            }

            var vkey = item.GetString()!;
            if (!TryParseVerifierKey(vkey, out var verifier))
            {
                throw Error("descriptor.bad-witness-key", $"witness_policy.witnesses[{index}] is not an Ed25519 vkey string.");
            }

            if (Array.IndexOf(witnesses, vkey, 0, index) >= 0)
            {
                throw Error("descriptor.duplicate-witness", "witness_policy.witnesses lists the same key twice.");
            }

            verifiers[index] = verifier!;
            witnesses[index++] = vkey;
        }

        if (!TryReadInteger(quorumElement, out var quorum) || quorum > WitnessPolicyAdvice.DistinctNames(verifiers))
        {
            throw Error("descriptor.bad-quorum", "witness_policy.quorum is not an integer between 0 and the number of distinct witness names.");
        }

        return WitnessPolicyAdvice.CreateValidated((int)quorum, witnesses, verifiers);
    }

    private static int Limit(JsonElement limits, string name)
    {
        var element = Required(limits, name, JsonValueKind.Number, "limits." + name);
        if (!TryReadInteger(element, out var value) || value is < 1 or > int.MaxValue)
        {
            throw Error("descriptor.bad-limit", $"limits.{name} is not an integer from 1 to 2147483647.");
        }

        return (int)value;
    }

    private static DateTimeOffset Time(JsonElement root, string name)
    {
        var text = Required(root, name, JsonValueKind.String).GetString()!;
        if (!TryParseTime(text, out var time))
        {
            throw Error("descriptor.bad-time", $"{name} is not an RFC 3339 UTC time of the form YYYY-MM-DDTHH:MM:SSZ.");
        }

        return time;
    }

    internal static bool TryParseTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)
            && text.Length == 20;

    internal static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static bool IsWholeUtcSecond(DateTimeOffset time) =>
        time.Offset == TimeSpan.Zero && time.Ticks % TimeSpan.TicksPerSecond == 0;

    // A JSON number token made only of decimal digits without a leading zero: no sign,
    // fraction or exponent, so "1", "1.0" and "1e0" cannot all mean one value.
    private static bool TryReadInteger(JsonElement element, out long value)
    {
        value = 0;
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (raw.Length is 0 or > 10 || (raw[0] == (byte)'0' && raw.Length > 1))
        {
            return false;
        }

        foreach (var b in raw)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private static ReadOnlyMemory<byte> DecodeKey(JsonElement element, string name, string code)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw Error("descriptor.field-type", $"{name} must be a string.");
        }

        var key = new byte[KeySize];
        if (!StrictBase64.TryDecodeExact(element.GetString().AsSpan(), padded: false, key))
        {
            throw Error(code, $"{name} is not unpadded base64 of a 32-byte key.");
        }

        return key;
    }

    internal static JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string? path = null)
    {
        if (!parent.TryGetProperty(name, out var element))
        {
            throw Error("descriptor.missing-field", $"{path ?? name} is missing.");
        }

        if (element.ValueKind != kind)
        {
            throw Error("descriptor.field-type", $"{path ?? name} must be a JSON {kind.ToString().ToLowerInvariant()}.");
        }

        return element;
    }

    // One parser decides what a vkey is: Transparency's VerifierKey (types 0x01 and 0x04).
    // The descriptor only caps the field's length. The log signs checkpoints as a
    // signed-note Ed25519 key, so only type 0x01 serves there.
    internal static bool IsLogKey(string vkey) => TryParseVerifierKey(vkey, out var verifier) && verifier is Ed25519NoteVerifier;

    internal static bool IsWitnessKey(string vkey) => TryParseVerifierKey(vkey, out _);

    internal static bool TryParseVerifierKey(string? vkey, out NoteVerifier? verifier)
    {
        verifier = null;
        return vkey is { Length: <= MaxVerifierKeyLength } && VerifierKey.TryParse(vkey, out verifier);
    }

    internal static int IndexOf(ReadOnlySpan<ReadOnlyMemory<byte>> keys, ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i].Span.SequenceEqual(key))
            {
                return i;
            }
        }

        return -1;
    }

    internal static InvalidFormatException Error(string code, string message) => new(code, message);

    private static string FirstLine(string text)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? text : text[..end];
    }
}
