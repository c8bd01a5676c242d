using System.Buffers.Binary;
using DarkMail.Directory.Core.Configuration;

namespace DarkMail.Directory.Core.Tests.Configuration;

/// <summary>Configuration entries from named keys, and byte-level damage for the negative cases.</summary>
internal static class TestConfigurations
{
    public const ulong T0 = 1767225600000;

    /// <summary>32 bytes named by <paramref name="name"/> (its SHA-256).</summary>
    public static byte[] Key(string name) => Seed("configuration key " + name);

    /// <summary>Configuration <paramref name="number"/> of <paramref name="poks"/> POKs and the VRF, log and witness keys of the set named <paramref name="keys"/>.</summary>
    public static ConfigurationEntry Make(uint number, ulong timestamp = T0, int poks = 1, string keys = "a") =>
        new(timestamp, number, Enumerable.Range(0, poks).Select(i => (ReadOnlyMemory<byte>)Key($"pok {i}")), Key(keys + " vrf"), Key(keys + " log"), Key(keys + " witness"));

    public static byte[] Bytes(uint number, ulong timestamp = T0) => Make(number, timestamp).Encode();

    /// <summary>A copy of <paramref name="entry"/> with byte <paramref name="offset"/> set to <paramref name="value"/>.</summary>
    public static byte[] With(byte[] entry, int offset, byte value)
    {
        var copy = (byte[])entry.Clone();
        copy[offset] = value;
        return copy;
    }

    /// <summary>A copy of <paramref name="entry"/> with its configuration number replaced.</summary>
    public static byte[] WithNumber(byte[] entry, uint number)
    {
        var copy = (byte[])entry.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(ConfigurationEntry.NumberOffset), number);
        return copy;
    }

    /// <summary>A copy of an entry of two or more POKs with its first two POKs swapped (out of order).</summary>
    public static byte[] PoksSwapped(byte[] entry)
    {
        var copy = (byte[])entry.Clone();
        entry.AsSpan(15, 32).CopyTo(copy.AsSpan(47));
        entry.AsSpan(47, 32).CopyTo(copy.AsSpan(15));
        return copy;
    }

    /// <summary>A copy of an entry of two or more POKs whose second POK repeats the first.</summary>
    public static byte[] PokRepeated(byte[] entry)
    {
        var copy = (byte[])entry.Clone();
        entry.AsSpan(15, 32).CopyTo(copy.AsSpan(47));
        return copy;
    }
}
