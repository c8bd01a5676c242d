// spec/configuration.md (DESIGN §11 "Configuration is logged"): the log entry that commits
// to a directory's configuration — its POK set, VRF public key, log public key and witness
// public key — so that a descriptor only advertises what the log has fixed. Layout (all
// integers big-endian):
//   entry type(1) = 0x02 || format version(1) = 0x01 || timestamp(u64 ms)
//   || configuration number(u32, >= 1) || POK count n(1, 1..8) || n POKs(32 each, strictly ascending)
//   || VRF public key(32) || log public key(32) || witness public key(32)
// A leaf's first byte is its format version 0x01, so the first byte tells the two kinds of
// entry apart. The map (spec/map.md) keeps the latest configuration under the reserved label
// SHA-256("dmd/configuration/v1"), with the configuration number as its version, so the
// latest configuration is proven like any latest key.
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Core.Configuration;

public sealed class ConfigurationEntry : IEquatable<ConfigurationEntry>
{
    public const byte EntryType = 0x02;
    public const byte FormatVersion = 0x01;
    public const int KeySize = 32;
    public const int MaxPoks = 8;
    public const int MinSize = 15 + KeySize + (3 * KeySize);
    public const int MaxSize = 15 + (MaxPoks * KeySize) + (3 * KeySize);
    public const int NumberOffset = 10;

    private readonly byte[] bytes;
    private readonly byte[][] poks;

    public ConfigurationEntry(ulong timestamp, uint number, IEnumerable<ReadOnlyMemory<byte>> poks, ReadOnlySpan<byte> vrfKey, ReadOnlySpan<byte> logKey, ReadOnlySpan<byte> witnessKey)
    {
        ArgumentNullException.ThrowIfNull(poks);
        ArgumentOutOfRangeException.ThrowIfZero(number);
        var sorted = poks.Select(p => p.ToArray()).ToList();
        if (sorted.Count is < 1 or > MaxPoks || sorted.Any(p => p.Length != KeySize))
        {
            throw new ArgumentException($"A configuration names 1 to {MaxPoks} POKs of 32 bytes.", nameof(poks));
        }

        sorted.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].AsSpan().SequenceEqual(sorted[i - 1]))
            {
                throw new ArgumentException("A POK is named twice.", nameof(poks));
            }
        }

        if (vrfKey.Length != KeySize || logKey.Length != KeySize || witnessKey.Length != KeySize)
        {
            throw new ArgumentException("The VRF, log and witness keys are 32 bytes each.");
        }

        var output = new byte[15 + (sorted.Count * KeySize) + (3 * KeySize)];
        output[0] = EntryType;
        output[1] = FormatVersion;
        BinaryPrimitives.WriteUInt64BigEndian(output.AsSpan(2), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(10), number);
        output[14] = (byte)sorted.Count;
        var offset = 15;
        foreach (var pok in sorted)
        {
            pok.CopyTo(output, offset);
            offset += KeySize;
        }

        vrfKey.CopyTo(output.AsSpan(offset));
        logKey.CopyTo(output.AsSpan(offset + KeySize));
        witnessKey.CopyTo(output.AsSpan(offset + (2 * KeySize)));
        bytes = output;
        this.poks = [.. sorted];
        Timestamp = timestamp;
        Number = number;
    }

    /// <summary>The label under which the map keeps the latest configuration: SHA-256("dmd/configuration/v1").</summary>
    public static ReadOnlySpan<byte> MapLabel => MapLabelBytes;

    private static readonly byte[] MapLabelBytes = SHA256.HashData(Encoding.ASCII.GetBytes("dmd/configuration/v1"));

    public ulong Timestamp { get; }

    /// <summary>1 for a log's first configuration, +1 for each change.</summary>
    public uint Number { get; }

    /// <summary>The POKs in ascending byte order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Poks => [.. poks.Select(p => (ReadOnlyMemory<byte>)p)];

    public ReadOnlySpan<byte> VrfKey => bytes.AsSpan(15 + (poks.Length * KeySize), KeySize);

    public ReadOnlySpan<byte> LogKey => bytes.AsSpan(15 + ((poks.Length + 1) * KeySize), KeySize);

    public ReadOnlySpan<byte> WitnessKey => bytes.AsSpan(15 + ((poks.Length + 2) * KeySize), KeySize);

    /// <summary>True when the first byte marks a configuration entry (it may still be malformed).</summary>
    public static bool IsConfiguration(ReadOnlySpan<byte> entry) => !entry.IsEmpty && entry[0] == EntryType;

    public byte[] Encode() => (byte[])bytes.Clone();

    /// <summary>RFC 6962 SHA-256(0x00 || entry): the entry's Merkle leaf hash.</summary>
    public byte[] LeafHash() => Rfc6962.HashLeaf(bytes);

    /// <summary>Same POK set, VRF, log and witness keys (number and time aside).</summary>
    public bool SameKeys(ConfigurationEntry other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return bytes.AsSpan(14).SequenceEqual(other.bytes.AsSpan(14));
    }

    /// <summary>Strictly decodes a configuration entry (codes <c>config.*</c>, spec/configuration.md §2).</summary>
    public static ConfigurationEntry Decode(ReadOnlySpan<byte> entry)
    {
        var code = Check(entry);
        if (code is not null)
        {
            throw new InvalidFormatException(code, Explain(code));
        }

        var n = entry[14];
        var poks = new ReadOnlyMemory<byte>[n];
        for (var i = 0; i < n; i++)
        {
            poks[i] = entry.Slice(15 + (i * KeySize), KeySize).ToArray();
        }

        var keys = entry[(15 + (n * KeySize))..];
        return new ConfigurationEntry(
            BinaryPrimitives.ReadUInt64BigEndian(entry[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(entry[10..]),
            poks,
            keys[..KeySize],
            keys.Slice(KeySize, KeySize),
            keys.Slice(2 * KeySize, KeySize));
    }

    public static bool TryDecode(ReadOnlySpan<byte> entry, out ConfigurationEntry? configuration, out string? code)
    {
        code = Check(entry);
        configuration = code is null ? Decode(entry) : null;
        return code is null;
    }

    /// <summary>The first rule of spec/configuration.md §2 that <paramref name="entry"/> breaks, or null.</summary>
    public static string? Check(ReadOnlySpan<byte> entry)
    {
        if (entry.IsEmpty || entry[0] != EntryType)
        {
            return "config.entry-type";
        }

        if (entry.Length < 15)
        {
            return "config.length";
        }

        if (entry[1] != FormatVersion)
        {
            return "config.format-version";
        }

        var n = entry[14];
        if (n is < 1 or > MaxPoks)
        {
            return "config.pok-count";
        }

        if (entry.Length != 15 + (n * KeySize) + (3 * KeySize))
        {
            return "config.length";
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(entry[10..]) == 0)
        {
            return "config.number-zero";
        }

        for (var i = 1; i < n; i++)
        {
            if (entry.Slice(15 + ((i - 1) * KeySize), KeySize).SequenceCompareTo(entry.Slice(15 + (i * KeySize), KeySize)) >= 0)
            {
                return "config.pok-order";
            }
        }

        return null;
    }

    public bool Equals(ConfigurationEntry? other) => other is not null && bytes.AsSpan().SequenceEqual(other.bytes);

    public override bool Equals(object? obj) => Equals(obj as ConfigurationEntry);

    public override int GetHashCode() => BitConverter.ToInt32(SHA256.HashData(bytes), 0);

    private static string Explain(string code) => code switch
    {
        "config.entry-type" => "The entry is not a configuration entry (first byte 0x02).",
        "config.format-version" => "The configuration entry has an unknown format version.",
        "config.pok-count" => "A configuration names 1 to 8 POKs.",
        "config.length" => "The configuration entry's length does not match its POK count.",
        "config.number-zero" => "A configuration number starts at 1.",
        "config.pok-order" => "The POKs are not in strictly ascending byte order.",
        _ => code,
    };
}
