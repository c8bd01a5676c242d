// DESIGN §4 / spec/signets.md "Custody message": the bytes a custody signature covers.
// Built only from data a log leaf carries, so a watchdog that never sees addresses can
// check every rotation:  "dmd/custody/v1\n" || label(32) || version(u32 BE)
//                        || new signing key(32) || SHA-256(signet body)(32).
using System.Buffers.Binary;

namespace DarkMail.Directory.Core.Custody;

public static class CustodyMessage
{
    public const int LabelSize = 32;
    public const int KeySize = 32;
    public const int BodyHashSize = 32;

    /// <summary>The domain-separation prefix; LogLeaf writes the rest from the leaf bytes.</summary>
    internal static ReadOnlySpan<byte> Context => "dmd/custody/v1\n"u8;

    /// <summary>Total length of every custody message: 15 + 32 + 4 + 32 + 32 = 115 bytes.</summary>
    public static int Size => Context.Length + LabelSize + 4 + KeySize + BodyHashSize;

    public static byte[] Build(ReadOnlySpan<byte> label, uint version, ReadOnlySpan<byte> newSigningKey, ReadOnlySpan<byte> bodyHash)
    {
        if (label.Length != LabelSize)
        {
            throw new ArgumentException("A label is 32 bytes.", nameof(label));
        }

        if (newSigningKey.Length != KeySize)
        {
            throw new ArgumentException("A signing key is 32 bytes.", nameof(newSigningKey));
        }

        if (bodyHash.Length != BodyHashSize)
        {
            throw new ArgumentException("A body hash is 32 bytes.", nameof(bodyHash));
        }

        var message = new byte[Size];
        var span = message.AsSpan();
        Context.CopyTo(span);
        span = span[Context.Length..];
        label.CopyTo(span);
        span = span[LabelSize..];
        BinaryPrimitives.WriteUInt32BigEndian(span, version);
        span = span[4..];
        newSigningKey.CopyTo(span);
        span = span[KeySize..];
        bodyHash.CopyTo(span);
        return message;
    }
}
