// DESIGN §5 / spec/leaves.md "Leaf format": one log entry, address-free, 111 or 175 bytes:
//   format version(1) = 0x01 || event(1) || timestamp(u64 BE ms) || label(32)
//   || signet version(u32 BE, >= 1) || new signing key(32, Ed25519) || SHA-256(signet body)(32)
//   || custody flag(1) || [custody signature(64, Ed25519) when the flag is 0x01]
// The Merkle leaf hash is RFC 6962 SHA-256(0x00 || leaf). An instance keeps its encoding
// and reads fields from it, so decoding costs one copy and encoding is a copy out.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Merkle;
using CustodyMessageBuilder = DarkMail.Directory.Core.Custody.CustodyMessage;

namespace DarkMail.Directory.Core.Leaves;

public sealed class LogLeaf : IEquatable<LogLeaf>
{
    public const byte CurrentFormatVersion = 0x01;
    public const int SizeWithoutCustody = 111;
    public const int SizeWithCustody = 175;
    public const int LabelSize = 32;
    public const int KeySize = 32;
    public const int BodyHashSize = 32;
    public const int SignatureSize = 64;

    internal const int EventOffset = 1;
    internal const int TimestampOffset = 2;
    internal const int LabelOffset = 10;
    internal const int VersionOffset = 42;
    internal const int KeyOffset = 46;
    internal const int BodyHashOffset = 78;
    internal const int FlagOffset = 110;
    internal const int SignatureOffset = 111;

    private readonly byte[] _bytes;

    /// <summary>
    /// Builds a leaf. <paramref name="custodySignature"/> is empty for no custody, else 64 bytes.
    /// The consistency rules of spec/leaves.md hold for every instance: a combination they
    /// forbid is an <see cref="ArgumentException"/> here and a <c>leaf.*</c> code in <see cref="Decode"/>.
    /// </summary>
    public LogLeaf(
        LeafEvent @event,
        ulong timestamp,
        ReadOnlySpan<byte> label,
        uint version,
        ReadOnlySpan<byte> signingKey,
        ReadOnlySpan<byte> bodyHash,
        ReadOnlySpan<byte> custodySignature = default)
    {
        if (@event is < LeafEvent.Publish or > LeafEvent.Revoke)
        {
            throw new ArgumentOutOfRangeException(nameof(@event), @event, "Unknown leaf event.");
        }

        if (label.Length != LabelSize)
        {
            throw new ArgumentException("A label is 32 bytes.", nameof(label));
        }

        if (signingKey.Length != KeySize)
        {
            throw new ArgumentException("A signing key is 32 bytes.", nameof(signingKey));
        }

        if (bodyHash.Length != BodyHashSize)
        {
            throw new ArgumentException("A body hash is 32 bytes.", nameof(bodyHash));
        }

        if (custodySignature.Length is not 0 and not SignatureSize)
        {
            throw new ArgumentException("A custody signature is 64 bytes, or empty when absent.", nameof(custodySignature));
        }

        if (version == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Signet versions start at 1.");
        }

        var hasCustody = !custodySignature.IsEmpty;
        var error = CheckConsistency(@event, version, hasCustody, out var message);
        if (error is not null)
        {
            throw new ArgumentException($"{message} ({error})");
        }

        _bytes = new byte[hasCustody ? SizeWithCustody : SizeWithoutCustody];
        var span = _bytes.AsSpan();
        span[0] = CurrentFormatVersion;
        span[EventOffset] = (byte)@event;
        BinaryPrimitives.WriteUInt64BigEndian(span[TimestampOffset..], timestamp);
        label.CopyTo(span[LabelOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[VersionOffset..], version);
        signingKey.CopyTo(span[KeyOffset..]);
        bodyHash.CopyTo(span[BodyHashOffset..]);
        span[FlagOffset] = hasCustody ? (byte)1 : (byte)0;
        custodySignature.CopyTo(span[SignatureOffset..]);
    }

    private LogLeaf(byte[] bytes) => _bytes = bytes;

    public LeafEvent Event => (LeafEvent)_bytes[EventOffset];

    /// <summary>Milliseconds since the Unix epoch, as the log sequenced the entry.</summary>
    public ulong Timestamp => BinaryPrimitives.ReadUInt64BigEndian(_bytes.AsSpan(TimestampOffset));

    public ReadOnlyMemory<byte> Label => _bytes.AsMemory(LabelOffset, LabelSize);

    public uint Version => BinaryPrimitives.ReadUInt32BigEndian(_bytes.AsSpan(VersionOffset));

    public ReadOnlyMemory<byte> SigningKey => _bytes.AsMemory(KeyOffset, KeySize);

    public ReadOnlyMemory<byte> BodyHash => _bytes.AsMemory(BodyHashOffset, BodyHashSize);

    public bool HasCustody => _bytes.Length == SizeWithCustody;

    /// <summary>The custody signature, or empty when the leaf carries none.</summary>
    public ReadOnlyMemory<byte> CustodySignature =>
        HasCustody ? _bytes.AsMemory(SignatureOffset, SignatureSize) : ReadOnlyMemory<byte>.Empty;

    public int EncodedLength => _bytes.Length;

    public byte[] Encode() => (byte[])_bytes.Clone();

    /// <summary>Writes the leaf and returns the number of bytes written (111 or 175).</summary>
    public int EncodeTo(Span<byte> destination)
    {
        if (destination.Length < _bytes.Length)
        {
            throw new ArgumentException($"Destination must hold {_bytes.Length} bytes.", nameof(destination));
        }

        _bytes.CopyTo(destination);
        return _bytes.Length;
    }

    /// <summary>RFC 6962 leaf hash: SHA-256(0x00 || leaf).</summary>
    public byte[] LeafHash() => Rfc6962.HashLeaf(_bytes);

    /// <summary>The message a custody signature for this leaf covers (spec/signets.md "Custody message").</summary>
    public byte[] CustodyMessage() =>
        CustodyMessageBuilder.Build(Label.Span, Version, SigningKey.Span, BodyHash.Span);

    /// <summary>
    /// True when the leaf carries a custody signature that verifies under
    /// <paramref name="previousSigningKey"/> (the signing key of the label's previous version).
    /// False when it carries none, or the key is not a usable Ed25519 key.
    /// </summary>
    public bool VerifyCustody(ReadOnlySpan<byte> previousSigningKey)
    {
        if (previousSigningKey.Length != KeySize)
        {
            throw new ArgumentException("A signing key is 32 bytes.", nameof(previousSigningKey));
        }

        return HasCustody && VerifyCustody(_bytes, previousSigningKey);
    }

    public static LogLeaf Decode(ReadOnlySpan<byte> data)
    {
        var error = Check(data, consistency: true, out var message);
        if (error is not null)
        {
            throw new InvalidFormatException(error, message!);
        }

        return new LogLeaf(data.ToArray());
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out LogLeaf? leaf) =>
        TryDecode(data, out leaf, out _);

    /// <summary>As <see cref="Decode"/>, reporting the failure's <c>leaf.*</c> code instead of throwing.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out LogLeaf? leaf, out string? errorCode)
    {
        errorCode = Check(data, consistency: true, out _);
        leaf = errorCode is null ? new LogLeaf(data.ToArray()) : null;
        return leaf is not null;
    }

    public bool Equals(LogLeaf? other) =>
        other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as LogLeaf);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"{Event} v{Version} label {Convert.ToHexStringLower(_bytes, LabelOffset, 8)}… at {Timestamp} ms{(HasCustody ? " with custody" : string.Empty)}";

    /// <summary>
    /// The decoding rules in spec order; returns null when the bytes pass, else the code.
    /// The chain validator runs only the structural half, so that it can name a consistency
    /// failure by its chain rule rather than as a malformed leaf.
    /// </summary>
    internal static string? Check(ReadOnlySpan<byte> data, bool consistency, out string? message)
    {
        if (data.IsEmpty)
        {
            message = "A leaf is 111 or 175 bytes; got none.";
            return LeafErrors.Length;
        }

        if (data[0] != CurrentFormatVersion)
        {
            message = $"Unknown leaf format version 0x{data[0]:x2}.";
            return LeafErrors.FormatVersion;
        }

        if (data.Length is not SizeWithoutCustody and not SizeWithCustody)
        {
            message = $"A leaf is 111 or 175 bytes; got {data.Length}.";
            return LeafErrors.Length;
        }

        var eventByte = data[EventOffset];
        if (eventByte is < (byte)LeafEvent.Publish or > (byte)LeafEvent.Revoke)
        {
            message = $"Unknown leaf event type 0x{eventByte:x2}.";
            return LeafErrors.EventType;
        }

        var flag = data[FlagOffset];
        if (flag > 1)
        {
            message = $"The custody flag is 0x{flag:x2}; it must be 0x00 or 0x01.";
            return LeafErrors.CustodyFlag;
        }

        if ((flag == 1) != (data.Length == SizeWithCustody))
        {
            message = $"The custody flag is 0x{flag:x2} but the leaf is {data.Length} bytes.";
            return LeafErrors.CustodyLength;
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(data[VersionOffset..]);
        if (version == 0)
        {
            message = "Signet version 0 does not exist; versions start at 1.";
            return LeafErrors.VersionZero;
        }

        if (consistency)
        {
            return CheckConsistency((LeafEvent)eventByte, version, flag == 1, out message);
        }

        message = null;
        return null;
    }

    private static string? CheckConsistency(LeafEvent @event, uint version, bool hasCustody, out string? message)
    {
        switch (@event)
        {
            case LeafEvent.Publish when version != 1:
                message = $"A publish leaf is version 1; got version {version}.";
                return LeafErrors.PublishVersion;
            case not LeafEvent.Publish when version == 1:
                message = $"A {Name(@event)} leaf is version 2 or later; version 1 is a publish.";
                return LeafErrors.VersionOne;
            case LeafEvent.Rotate or LeafEvent.Revoke when !hasCustody:
                message = $"A {Name(@event)} leaf carries the owner's custody signature; this one has none (without it, it would be a reset).";
                return LeafErrors.CustodyMissing;
            case LeafEvent.Publish or LeafEvent.Reset when hasCustody:
                message = $"A {Name(@event)} leaf carries no custody signature; this one has one.";
                return LeafErrors.CustodyUnexpected;
            default:
                message = null;
                return null;
        }
    }

    internal static string Name(LeafEvent @event) => @event switch
    {
        LeafEvent.Publish => "publish",
        LeafEvent.Rotate => "rotate",
        LeafEvent.Reset => "reset",
        LeafEvent.Revoke => "revoke",
        _ => "unknown",
    };

    /// <summary>Custody check over an encoded leaf that carries a signature (already structurally checked).</summary>
    internal static bool VerifyCustody(ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> previousSigningKey) =>
        CustodyMessageBuilder.Verify(
            previousSigningKey,
            leaf.Slice(LabelOffset, LabelSize),
            BinaryPrimitives.ReadUInt32BigEndian(leaf[VersionOffset..]),
            leaf.Slice(KeyOffset, KeySize),
            leaf.Slice(BodyHashOffset, BodyHashSize),
            leaf.Slice(SignatureOffset, SignatureSize));
}
