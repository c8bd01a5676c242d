using CsCheck;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Transparency.Tests.Tiles;

public class EntryBundleTests
{
    [Fact]
    public void Encode_TwoEntries_LengthPrefixedBigEndian()
    {
        var bundle = EntryBundle.Encode([[], [0xAA, 0xBB, 0xCC]]);
        Assert.Equal(Convert.FromHexString("00000003AABBCC"), bundle);
    }

    [Fact]
    public void Encode_SpecExample_VectorEntries0To2()
    {
        // spec/log-tiles.md §4.
        var entries = MerkleVectors.Leaves.Take(3).Select(l => l.Data).ToArray();
        var bundle = EntryBundle.Encode(entries);
        Assert.Equal(Convert.FromHexString("000000066c65616620310006" + "6c6561662032"), bundle);
        Assert.Equal(entries, EntryBundle.Decode(bundle, 3));
    }

    [Fact]
    public void EncodeDecode_RandomBundles_RoundTrip()
    {
        Gen.Byte.Array[0, 400].Array[1, 256].Sample(entries =>
        {
            var bundle = EntryBundle.Encode(entries);
            Assert.Equal(entries.Sum(e => 2 + e.Length), bundle.Length);
            Assert.Equal(entries, EntryBundle.Decode(bundle, entries.Length));
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void Decode_MutatedBundles_FailWithExactCode()
    {
        Gen.Byte.Array[0, 40].Array[1, 20].Sample(entries =>
        {
            var bundle = EntryBundle.Encode(entries);
            var n = entries.Length;
            Assert.Equal("bundle.trailing-data", Code(() => EntryBundle.Decode([.. bundle, 0], n)));
            if (n > 1)
            {
                Assert.Equal("bundle.trailing-data", Code(() => EntryBundle.Decode(bundle, n - 1)));
            }

            Assert.Equal("bundle.count-mismatch", Code(() => EntryBundle.Decode(bundle, n + 1)));

            // Dropping the last byte cuts into the last entry or, if it is empty, its length prefix.
            Assert.Equal("bundle.truncated", Code(() => EntryBundle.Decode(bundle[..^1], n)));

            // A length prefix pointing past the end.
            var lying = (byte[])bundle.Clone();
            lying[0] = 0xFF;
            Assert.Equal("bundle.truncated", Code(() => EntryBundle.Decode(lying, n)));
            Assert.False(EntryBundle.TryDecode(lying, n, out var none));
            Assert.Null(none);
        }, iter: 200, threads: 1);
    }

    [Theory]
    [InlineData("", 1, "bundle.count-mismatch")]
    [InlineData("00", 1, "bundle.truncated")]
    [InlineData("0001", 1, "bundle.truncated")]
    [InlineData("000100", 2, "bundle.count-mismatch")]
    [InlineData("00010000", 1, "bundle.trailing-data")]
    [InlineData("0000000000", 2, "bundle.trailing-data")]
    public void Decode_BadBundle_FailsWithCode(string hex, int count, string code)
    {
        Assert.Equal(code, Code(() => EntryBundle.Decode(Convert.FromHexString(hex), count)));
    }

    [Fact]
    public void HashEntries_VectorLeaves_EqualLevel0Tile()
    {
        var entries = MerkleVectors.Leaves.Select(l => l.Data).ToArray();
        var bundle = EntryBundle.Encode(entries);
        var hashes = new byte[entries.Length * 32];
        EntryBundle.HashEntries(bundle, entries.Length, hashes);
        Assert.Equal(TileHashes.Build(MerkleVectors.Tree, new TileId(0, 0, entries.Length)), hashes);
        Assert.Equal("bundle.trailing-data", Code(() => EntryBundle.HashEntries([.. bundle, 1], entries.Length, hashes)));
    }

    [Fact]
    public void Encode_Misuse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EntryBundle.Encode([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => EntryBundle.Encode(Enumerable.Repeat(Array.Empty<byte>(), 257).ToArray()));
        Assert.Throws<ArgumentException>(() => EntryBundle.Encode([new byte[65_536]]));
        Assert.Equal(65_537, EntryBundle.Encode([new byte[65_535]]).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => EntryBundle.Decode([0, 0], 0));
        Assert.Throws<ArgumentException>(() => EntryBundle.HashEntries([0, 0], 1, new byte[31]));
    }

    private static string? Code(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (InvalidFormatException e)
        {
            return e.Code;
        }
    }
}
