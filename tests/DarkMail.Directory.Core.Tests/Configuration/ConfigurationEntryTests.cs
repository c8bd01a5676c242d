using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Tests.Leaves;
using DarkMail.Directory.Core.Tests.TestSupport;
using DarkMail.Directory.Transparency;
using static DarkMail.Directory.Core.Tests.Configuration.TestConfigurations;

namespace DarkMail.Directory.Core.Tests.Configuration;

public class ConfigurationEntryTests
{
    // spec/configuration.md §2.2: the keys of descriptors.json vector single-pok as configuration 1.
    private const string ExamplePok = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string ExampleVrf = "54136cd90d99fbd1d4e855d9556efea87ba0337f2a6ce22028d0f5726fcb854e";
    private const string ExampleLog = "7bfe26c3a3fdbda96ca7959c0ada23be15f5f0e15fbff15653ef984e6506805a";
    private const string ExampleWitness = "ce90606f8e7235e2be862751816d2fdfa94df2ee362bb4086eb81eb43b9c16b4";
    private const string ExampleHex = "02" + "01" + "0000019b76daa800" + "00000001" + "01" + ExamplePok + ExampleVrf + ExampleLog + ExampleWitness;
    private const string ExampleLeafHash = "fdacc614fdbdb6b88f35926a0415f302c25d802e068fdc4bd6ab9ca0a820d5a4";

    [Fact]
    public void Encode_SpecExample_BytesAndLeafHashOfTheSpec()
    {
        var entry = new ConfigurationEntry(1767225600000, 1, [Convert.FromHexString(ExamplePok)],
            Convert.FromHexString(ExampleVrf), Convert.FromHexString(ExampleLog), Convert.FromHexString(ExampleWitness));

        Assert.Equal(ExampleHex, Convert.ToHexStringLower(entry.Encode()));
        Assert.Equal(ConfigurationEntry.MinSize, entry.Encode().Length);
        Assert.Equal(ExampleLeafHash, Convert.ToHexStringLower(entry.LeafHash()));
    }

    [Fact]
    public void SpecExample_HexLinesOfTheDocument_AreTheExampleEntry()
    {
        // The first word of each line of §2.2's code block, in order, is the entry.
        var spec = SpecDocs.Text("configuration.md");
        var section = spec[spec.IndexOf("### 2.2", StringComparison.Ordinal)..];
        var block = section.Split("```")[1];
        var words = block.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);

        Assert.Equal(ExampleHex, string.Concat(words));
        Assert.Contains($"`{ExampleLeafHash}`", section, StringComparison.Ordinal);
    }

    [Fact]
    public void MapLabel_IsSha256OfItsName()
    {
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes("dmd/configuration/v1")), ConfigurationEntry.MapLabel.ToArray());
        Assert.Equal("49f79de8c52487b8732801d4c0f66f0808912019e428d57099568f404cd13203", Convert.ToHexStringLower(ConfigurationEntry.MapLabel));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void Decode_Encoded_RoundTripsEveryField(int poks)
    {
        var entry = Make(7, T0 + 5, poks);
        var bytes = entry.Encode();

        var decoded = ConfigurationEntry.Decode(bytes);

        Assert.Equal(15 + (32 * poks) + 96, bytes.Length);
        Assert.Equal(entry, decoded);
        Assert.Equal(bytes, decoded.Encode());
        Assert.Equal((T0 + 5, 7u), (decoded.Timestamp, decoded.Number));
        Assert.Equal(entry.Poks.Select(p => p.ToArray()), decoded.Poks.Select(p => p.ToArray()));
        Assert.Equal(poks, decoded.Poks.Count);
        Assert.Equal(Key("a vrf"), decoded.VrfKey.ToArray());
        Assert.Equal(Key("a log"), decoded.LogKey.ToArray());
        Assert.Equal(Key("a witness"), decoded.WitnessKey.ToArray());
        Assert.Equal(SHA256.HashData([0x00, .. bytes]), decoded.LeafHash());
        Assert.Null(ConfigurationEntry.Check(bytes));
        Assert.True(ConfigurationEntry.TryDecode(bytes, out var tried, out var code));
        Assert.Null(code);
        Assert.Equal(entry, tried);
    }

    [Fact]
    public void Encode_EightPoks_IsMaxSize()
    {
        Assert.Equal(ConfigurationEntry.MaxSize, Make(1, poks: ConfigurationEntry.MaxPoks).Encode().Length);
    }

    /// <summary>Negatives made from valid entries: one broken rule each, then several at once (the first in spec order wins).</summary>
    public static TheoryData<string, byte[]> Malformed()
    {
        var one = Bytes(1);
        var two = Make(1, poks: 2).Encode();
        return new TheoryData<string, byte[]>
        {
            { "config.entry-type", [] },
            { "config.entry-type", With(one, 0, 0x01) },
            { "config.entry-type", With(one, 0, 0x03) },
            { "config.length", [0x02] },
            { "config.length", one[..14] },
            { "config.format-version", With(one, 1, 0x00) },
            { "config.format-version", With(one, 1, 0x02) },
            { "config.pok-count", With(one, 14, 0) },
            { "config.pok-count", With(one, 14, 9) },
            { "config.length", one[..^1] },
            { "config.length", [.. one, 0x00] },
            { "config.length", With(one, 14, 2) },
            { "config.length", With(two, 14, 1) },
            { "config.number-zero", WithNumber(one, 0) },
            { "config.pok-order", PoksSwapped(two) },
            { "config.pok-order", PokRepeated(two) },
            { "config.entry-type", With(With(With(one, 0, 0x01), 1, 0x07), 14, 0) },
            { "config.length", With(one[..14], 1, 0x07) },
            { "config.format-version", WithNumber(With(With(one, 1, 0x07), 14, 0), 0) },
            { "config.pok-count", WithNumber([.. With(one, 14, 9), 0x00], 0) },
            { "config.length", [.. WithNumber(PoksSwapped(two), 0), 0x00] },
            { "config.number-zero", WithNumber(PoksSwapped(two), 0) },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Decode_Malformed_FirstCodeInSpecOrder(string code, byte[] entry)
    {
        var e = Assert.Throws<InvalidFormatException>(() => ConfigurationEntry.Decode(entry));

        Assert.Equal(code, e.Code);
        Assert.Equal(code, ConfigurationEntry.Check(entry));
        Assert.False(ConfigurationEntry.TryDecode(entry, out var configuration, out var tried));
        Assert.Null(configuration);
        Assert.Equal(code, tried);
    }

    [Fact]
    public void IsConfiguration_FirstByte_TellsTheKindOfEntry()
    {
        Assert.True(ConfigurationEntry.IsConfiguration(Bytes(1)));
        Assert.True(ConfigurationEntry.IsConfiguration([0x02]));
        Assert.False(ConfigurationEntry.IsConfiguration([]));
        Assert.False(ConfigurationEntry.IsConfiguration(TestLeaves.Raw(1, T0, TestLeaves.Label("x"), 1, new byte[32], new byte[32], null)));
    }

    [Fact]
    public void Constructor_PoksInAnyOrder_SortedAscending()
    {
        var poks = Enumerable.Range(0, 5).Select(i => Key($"pok {i}")).ToList();
        var ascending = poks.Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();

        var given = new ConfigurationEntry(T0, 1, [.. Enumerable.Reverse(ascending).Select(p => (ReadOnlyMemory<byte>)p)], Key("v"), Key("l"), Key("w"));
        var sorted = new ConfigurationEntry(T0, 1, [.. ascending.Select(p => (ReadOnlyMemory<byte>)p)], Key("v"), Key("l"), Key("w"));

        Assert.Equal(sorted.Encode(), given.Encode());
        Assert.Equal(ascending, given.Poks.Select(p => p.ToArray()));
        Assert.Null(ConfigurationEntry.Check(given.Encode()));
    }

    [Fact]
    public void Constructor_WhatDecodeRefuses_Throws()
    {
        ReadOnlyMemory<byte> pok = Key("p");
        ReadOnlyMemory<byte>[] nine = [.. Enumerable.Range(0, 9).Select(i => (ReadOnlyMemory<byte>)Key($"pok {i}"))];

        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfigurationEntry(T0, 0, [pok], Key("v"), Key("l"), Key("w")));
        Assert.Throws<ArgumentException>(() => new ConfigurationEntry(T0, 1, [], Key("v"), Key("l"), Key("w")));
        Assert.Throws<ArgumentException>(() => new ConfigurationEntry(T0, 1, nine, Key("v"), Key("l"), Key("w")));
        Assert.Throws<ArgumentException>(() => new ConfigurationEntry(T0, 1, [pok, pok], Key("v"), Key("l"), Key("w")));
        Assert.Throws<ArgumentException>(() => new ConfigurationEntry(T0, 1, [pok[..31]], Key("v"), Key("l"), Key("w")));
        Assert.Throws<ArgumentException>(() => new ConfigurationEntry(T0, 1, [pok], Key("v")[..31], Key("l"), Key("w")));
        Assert.Throws<ArgumentException>(() => new ConfigurationEntry(T0, 1, [pok], Key("v"), [.. Key("l"), 0], Key("w")));
        Assert.Throws<ArgumentException>(() => new ConfigurationEntry(T0, 1, [pok], Key("v"), Key("l"), []));
        Assert.Throws<ArgumentNullException>(() => new ConfigurationEntry(T0, 1, null!, Key("v"), Key("l"), Key("w")));
    }

    [Fact]
    public void SameKeys_OtherNumberAndTime_TrueThoughNotEqual()
    {
        var first = Make(1, T0);
        var later = Make(5, T0 + 60_000);

        Assert.True(first.SameKeys(later));
        Assert.True(later.SameKeys(first));
        Assert.NotEqual(first, later);
    }

    [Fact]
    public void SameKeys_AnyKeyOrThePokSetDiffers_False()
    {
        ReadOnlyMemory<byte> p1 = Key("p1");
        ReadOnlyMemory<byte> p2 = Key("p2");
        var basis = new ConfigurationEntry(T0, 1, [p1], Key("v"), Key("l"), Key("w"));

        Assert.True(basis.SameKeys(new ConfigurationEntry(T0, 1, [p1], Key("v"), Key("l"), Key("w"))));
        Assert.False(basis.SameKeys(new ConfigurationEntry(T0, 1, [p2], Key("v"), Key("l"), Key("w"))));
        Assert.False(basis.SameKeys(new ConfigurationEntry(T0, 1, [p1, p2], Key("v"), Key("l"), Key("w"))));
        Assert.False(basis.SameKeys(new ConfigurationEntry(T0, 1, [p1], Key("v2"), Key("l"), Key("w"))));
        Assert.False(basis.SameKeys(new ConfigurationEntry(T0, 1, [p1], Key("v"), Key("l2"), Key("w"))));
        Assert.False(basis.SameKeys(new ConfigurationEntry(T0, 1, [p1], Key("v"), Key("l"), Key("w2"))));
        Assert.Throws<ArgumentNullException>(() => basis.SameKeys(null!));
    }

    [Fact]
    public void Equals_SameBytes_EqualWithSameHashCode()
    {
        var a = Make(3);
        var b = ConfigurationEntry.Decode(a.Encode());

        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(null));
        Assert.NotEqual(a, Make(3, T0 + 1));
    }
}
