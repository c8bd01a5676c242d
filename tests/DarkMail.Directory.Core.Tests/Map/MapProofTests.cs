using System.Buffers.Binary;
using CsCheck;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Tests.Map;

public class MapProofTests
{
    // A map where every proof kind has depth > 0 and runs of empty siblings: 64 random labels.
    private static readonly byte[][] Labels = MapGen.MakeLabels(11, 64);
    private static readonly LabelMap Map = LabelMap.Empty.With(Labels.Select((l, i) => MapGen.Entry(l, 1 + (uint)(i % 3), i, (byte)i)));

    private static (byte[] Label, MapProof Proof) Member(Func<MapProof, bool> where)
    {
        var label = Labels.First(l => where(Map.Prove(l)));
        return (label, Map.Prove(label));
    }

    private static (byte[] Label, MapProof Proof) NonMember(MapProofKind kind, Func<MapProof, bool>? where = null)
    {
        var random = new Random(5);
        while (true)
        {
            var label = new byte[32];
            random.NextBytes(label);
            var proof = Map.Prove(label);
            if (proof.Kind == kind && proof.Depth % 8 != 0 && (where is null || where(proof)))
            {
                return (label, proof);
            }
        }
    }

    private static string Code(byte[] bytes) =>
        Assert.Throws<InvalidFormatException>(() => MapProof.Decode(bytes)).Code;

    private static byte[] Patch(byte[] bytes, int offset, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] = value;
        return copy;
    }

    [Fact]
    public void Decode_EveryProveOutput_RoundTripsWithSameFields()
    {
        Gen.Byte.Array[32].Sample(label =>
        {
            foreach (var query in Labels.Append(label))
            {
                var proof = Map.Prove(query);
                var decoded = MapProof.Decode(proof.Encode());
                Assert.Equal(proof.Encode(), decoded.Encode());
                Assert.Equal((proof.Kind, proof.Depth, proof.Other, proof.EncodedLength), (decoded.Kind, decoded.Depth, decoded.Other, decoded.EncodedLength));
                Assert.True(MapProof.TryDecode(proof.Encode(), out var tried, out var code));
                Assert.Null(code);
                Assert.Equal(proof.Encode(), tried.Encode());
            }
        }, iter: 20);
    }

    [Fact]
    public void Encode_ReturnsCopy()
    {
        var proof = Map.Prove(Labels[0]);
        var bytes = proof.Encode();

        bytes[0] = 0x07;

        Assert.Equal(0x01, proof.Encode()[0]);
    }

    [Fact]
    public void Encode_Inclusion_LayoutOfSpec()
    {
        var (label, proof) = Member(p => p.Depth % 8 != 0);
        var bytes = proof.Encode();
        var depth = proof.Depth;
        var bitmap = bytes[3..(3 + ((depth + 7) / 8))];
        var set = Enumerable.Range(0, depth).Count(i => (bitmap[i / 8] & (0x80 >> (i % 8))) != 0);

        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(depth, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(1)));
        Assert.Equal(3 + bitmap.Length + (32 * set), bytes.Length);
        Assert.NotEqual(0, bitmap[(depth - 1) / 8] & (0x80 >> ((depth - 1) % 8)));
        Assert.Null(proof.Other);
        Assert.Equal(MapProofStatus.Valid, proof.VerifyLatest(Map.RootHash, Map.Find(label)!));
    }

    [Fact]
    public void Encode_AbsentOther_EndsWithTheOtherEntry()
    {
        var (label, proof) = NonMember(MapProofKind.AbsentOther);
        var bytes = proof.Encode();
        var other = proof.Other!;

        Assert.Equal(other.Label.ToArray(), bytes[^76..^44]);
        Assert.Equal(other.Version, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(bytes.Length - 44)));
        Assert.Equal(other.LeafIndex, BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(bytes.Length - 40)));
        Assert.Equal(other.LeafHash.ToArray(), bytes[^32..]);
        Assert.Equal(other, Map.Find(other.Label.Span));
        Assert.InRange(NaiveMap.SharedBits(other.Label.Span, label), proof.Depth, 255);
    }

    [Theory]
    [InlineData(new byte[0], MapErrors.ProofLength)]
    [InlineData(new byte[] { 0x00 }, MapErrors.ProofKind)]
    [InlineData(new byte[] { 0x04, 0x00, 0x00 }, MapErrors.ProofKind)]
    [InlineData(new byte[] { 0xff }, MapErrors.ProofKind)]
    [InlineData(new byte[] { 0x01 }, MapErrors.ProofLength)]
    [InlineData(new byte[] { 0x02, 0x00 }, MapErrors.ProofLength)]
    [InlineData(new byte[] { 0x02, 0x01, 0x01 }, MapErrors.ProofDepth)]
    [InlineData(new byte[] { 0x02, 0xff, 0xff }, MapErrors.ProofDepth)]
    [InlineData(new byte[] { 0x02, 0x00, 0x01 }, MapErrors.ProofLength)]
    [InlineData(new byte[] { 0x02, 0x00, 0x01, 0x40 }, MapErrors.ProofPadding)]
    [InlineData(new byte[] { 0x02, 0x00, 0x01, 0x01 }, MapErrors.ProofPadding)]
    [InlineData(new byte[] { 0x02, 0x00, 0x01, 0x80 }, MapErrors.ProofLength)]
    [InlineData(new byte[] { 0x02, 0x00, 0x00, 0x00 }, MapErrors.ProofLength)]
    [InlineData(new byte[] { 0x03, 0x00, 0x00 }, MapErrors.ProofLength)]
    public void Decode_Malformed_FailsWithCodeOfFirstFailingCheck(byte[] bytes, string code)
    {
        Assert.Equal(code, Code(bytes));
        Assert.False(MapProof.TryDecode(bytes, out var proof, out var tried));
        Assert.Null(proof);
        Assert.Equal(code, tried);
    }

    [Fact]
    public void Decode_EmptyMapProof_IsThreeBytes()
    {
        var proof = MapProof.Decode([0x02, 0x00, 0x00]);

        Assert.Equal((MapProofKind.AbsentEmpty, 0, 3), (proof.Kind, proof.Depth, proof.EncodedLength));
        Assert.Equal(MapProofStatus.Valid, proof.VerifyAbsent(LabelMap.EmptyRoot, Labels[0]));
        Assert.Equal(MapProofStatus.RootMismatch, proof.VerifyAbsent(Map.RootHash, Labels[0]));
        Assert.Equal(proof.Encode(), LabelMap.Empty.Prove(Labels[0]).Encode());
    }

    [Fact]
    public void Decode_Depth256_BitmapOf32BytesNoPadding()
    {
        byte[] bytes = [0x02, 0x01, 0x00, .. new byte[31], 0x01, .. Enumerable.Repeat((byte)0xab, 32)];

        var proof = MapProof.Decode(bytes);

        Assert.Equal(256, proof.Depth);
        Assert.Equal(MapProofStatus.RootMismatch, proof.VerifyAbsent(Map.RootHash, Labels[0]));
    }

    [Fact]
    public void Decode_MutationsOfValidProofs_ExpectedCodes()
    {
        var (_, inclusion) = Member(p => p.Depth % 8 != 0);
        var (_, other) = NonMember(MapProofKind.AbsentOther);
        var bytes = inclusion.Encode();
        var o = other.Encode();
        var bitmapEnd = 3 + ((inclusion.Depth + 7) / 8);

        Assert.Equal(MapErrors.ProofLength, Code(bytes[..^1]));
        Assert.Equal(MapErrors.ProofLength, Code([.. bytes, 0x00]));
        Assert.Equal(MapErrors.ProofLength, Code(bytes[..bitmapEnd]));
        Assert.Equal(MapErrors.ProofLength, Code(o[..^76]));
        Assert.Equal(MapErrors.ProofLength, Code(Patch(o, 0, 0x01)));
        Assert.Equal(MapErrors.ProofPadding, Code(FlipBit(bytes, bitmapEnd - 1, 0)));
        Assert.Equal(MapErrors.ProofDepth, Code(Patch(bytes, 1, 0x01)));
        Assert.Equal(MapErrors.ProofKind, Code(Patch(bytes, 0, 0x00)));
        var zeroSibling = (byte[])bytes.Clone();
        zeroSibling.AsSpan(bitmapEnd, 32).Clear();
        Assert.Equal(MapErrors.ProofSibling, Code(zeroSibling));
        var zeroVersion = (byte[])o.Clone();
        zeroVersion.AsSpan(o.Length - 44, 4).Clear();
        Assert.Equal(MapErrors.ProofVersion, Code(zeroVersion));
        Assert.Equal(MapErrors.ProofIndex, Code(Patch(o, o.Length - 40, 0x80)));

        // The largest version and index still decode.
        var extremes = (byte[])o.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(extremes.AsSpan(o.Length - 44), uint.MaxValue);
        BinaryPrimitives.WriteInt64BigEndian(extremes.AsSpan(o.Length - 40), long.MaxValue);
        var decoded = MapProof.Decode(extremes).Other!;
        Assert.Equal((uint.MaxValue, long.MaxValue), (decoded.Version, decoded.LeafIndex));
    }

    [Fact]
    public void VerifyLatest_KindNotInclusion_WrongKind()
    {
        var entry = Map.Find(Labels[0])!;

        Assert.Equal(MapProofStatus.WrongKind, NonMember(MapProofKind.AbsentEmpty).Proof.VerifyLatest(Map.RootHash, entry));
        Assert.Equal(MapProofStatus.WrongKind, NonMember(MapProofKind.AbsentOther).Proof.VerifyLatest(Map.RootHash, entry));
    }

    [Fact]
    public void VerifyAbsent_InclusionProof_WrongKind()
    {
        Assert.Equal(MapProofStatus.WrongKind, Map.Prove(Labels[0]).VerifyAbsent(Map.RootHash, Labels[0]));
    }

    [Fact]
    public void VerifyLatest_EntryWithOtherValue_RootMismatch()
    {
        var proof = Map.Prove(Labels[1]);
        var entry = Map.Find(Labels[1])!;

        Assert.Equal(MapProofStatus.Valid, proof.VerifyLatest(Map.RootHash, entry));
        Assert.Equal(MapProofStatus.RootMismatch, proof.VerifyLatest(Map.RootHash, new MapEntry(entry.Label.Span, entry.Version + 1, entry.LeafIndex, entry.LeafHash.Span)));
        Assert.Equal(MapProofStatus.RootMismatch, proof.VerifyLatest(Map.RootHash, new MapEntry(entry.Label.Span, entry.Version, entry.LeafIndex + 1, entry.LeafHash.Span)));
        Assert.Equal(MapProofStatus.RootMismatch, proof.VerifyLatest(Map.RootHash, new MapEntry(entry.Label.Span, entry.Version, entry.LeafIndex, FlipBit(entry.LeafHash.Span, 0))));
        Assert.Equal(MapProofStatus.RootMismatch, proof.VerifyLatest(Map.RootHash, new MapEntry(FlipBit(entry.Label.Span, 255), entry.Version, entry.LeafIndex, entry.LeafHash.Span)));
    }

    [Fact]
    public void Verify_AnyFlippedSiblingBit_RootMismatch()
    {
        foreach (var label in Labels.Take(8))
        {
            var proof = Map.Prove(label);
            var bytes = proof.Encode();
            var siblingsStart = 3 + ((proof.Depth + 7) / 8);
            for (var bit = siblingsStart * 8; bit < bytes.Length * 8; bit += 13)
            {
                var mutated = MapProof.Decode(FlipBit(bytes, bit));
                Assert.Equal(MapProofStatus.RootMismatch, mutated.VerifyLatest(Map.RootHash, Map.Find(label)!));
            }
        }
    }

    [Fact]
    public void Verify_DeepestSiblingEmpty_NotCanonicalBeforeRoot()
    {
        var (label, proof) = Member(p => p.Depth % 8 is > 0 and < 7);
        var bytes = proof.Encode();
        byte[] deeper = [.. bytes];
        BinaryPrimitives.WriteUInt16BigEndian(deeper.AsSpan(1), (ushort)(proof.Depth + 1));
        var (absentLabel, absent) = NonMember(MapProofKind.AbsentEmpty, p => p.Depth % 8 < 7);
        var absentBytes = absent.Encode();
        BinaryPrimitives.WriteUInt16BigEndian(absentBytes.AsSpan(1), (ushort)(absent.Depth + 1));

        Assert.Equal(MapProofStatus.NotCanonical, MapProof.Decode(deeper).VerifyLatest(Map.RootHash, Map.Find(label)!));
        Assert.Equal(MapProofStatus.NotCanonical, MapProof.Decode(deeper).VerifyLatest(new byte[32], Map.Find(label)!));
        Assert.Equal(MapProofStatus.NotCanonical, MapProof.Decode(absentBytes).VerifyAbsent(Map.RootHash, absentLabel));
    }

    [Fact]
    public void VerifyAbsent_OtherLabelOffPathOrEqual_LabelMismatch()
    {
        var (label, proof) = NonMember(MapProofKind.AbsentOther);
        var other = proof.Other!;
        var offPath = Labels.First(l => NaiveMap.SharedBits(l, label) < proof.Depth);
        var offEntry = Map.Find(offPath)!;
        byte[] swapped = [.. proof.Encode()[..^76], .. offEntry.Label.Span, .. proof.Encode()[^44..]];

        Assert.Equal(MapProofStatus.Valid, proof.VerifyAbsent(Map.RootHash, label));
        Assert.Equal(MapProofStatus.LabelMismatch, proof.VerifyAbsent(Map.RootHash, other.Label.Span));
        Assert.Equal(MapProofStatus.LabelMismatch, MapProof.Decode(swapped).VerifyAbsent(Map.RootHash, label));
        // Another query whose path parts from this one above the proof's depth: the leaf is off its path.
        Assert.Equal(MapProofStatus.LabelMismatch, proof.VerifyAbsent(Map.RootHash, FlipBit(label, 0, 7)));
    }

    [Fact]
    public void VerifyAbsent_QueriedSharesOnlyFirstDepthBits_StillValid()
    {
        // Any label along the same path to the other leaf gets the same proof.
        var (label, proof) = NonMember(MapProofKind.AbsentOther);
        var otherQuery = FlipBit(label, 31, 0);

        Assert.Equal(proof.Encode(), Map.Prove(otherQuery).Encode());
        Assert.Equal(MapProofStatus.Valid, proof.VerifyAbsent(Map.RootHash, otherQuery));
    }

    [Fact]
    public void Verify_WrongLengths_Throw()
    {
        var proof = Map.Prove(Labels[0]);
        var entry = Map.Find(Labels[0])!;

        Assert.Throws<ArgumentException>(() => proof.VerifyLatest(new byte[31], entry));
        Assert.Throws<ArgumentNullException>(() => proof.VerifyLatest(Map.RootHash, null!));
        Assert.Throws<ArgumentException>(() => proof.VerifyAbsent(Map.RootHash, new byte[31]));
        Assert.Throws<ArgumentException>(() => proof.VerifyAbsent(new byte[33], Labels[0]));
    }

    [Fact]
    public void ToString_NamesKindDepthAndSize()
    {
        var proof = Map.Prove(Labels[0]);

        Assert.Equal($"Inclusion proof of depth {proof.Depth}, {proof.EncodedLength} bytes", proof.ToString());
    }
}
