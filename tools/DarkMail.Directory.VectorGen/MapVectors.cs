// spec/map.md vectors (map.json): maps of 0, 1, 2, 3 and 20 entries with their roots, an
// inclusion proof for every member and absence proofs of both kinds for non-members;
// negatives derived from those proofs with the exact map.* decode code or verification status;
// and one derivation of the map from a short log of real leaves (spec/map.md "Derivation").
// Labels and hashes come from fixed seed strings, so reruns give identical files. The
// generator states every expectation (proof kinds, negative outcomes, derived entries)
// independently and refuses to write a file the library disagrees with.
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.VectorGen;

public sealed class MapVectors : IVectorSet
{
    public string FileName => "map.json";

    public JsonObject Generate()
    {
        var empty = new List<MapEntry>();
        var one = new List<MapEntry> { Entry("one-a", Label("one-a"), 1, 0) };

        // Two labels that share their first three bits (000): the root is an interior at bit 3
        // hanging at level 0, so levels 0-2 have empty siblings.
        var two = new List<MapEntry>
        {
            Entry("two-a", Label("two-a", 0b0000_0000, 4), 1, 0),
            Entry("two-b", Label("two-b", 0b0001_0000, 4), 2, 5),
        };

        // One label on the 0 side, two on the 1 side that share 1000 and part at bit 4: the right
        // child of the root hangs at level 1 and branches at 4.
        var three = new List<MapEntry>
        {
            Entry("three-a", Label("three-a", 0b0000_0000, 1), 1, 7),
            Entry("three-b", Label("three-b", 0b1000_0000, 5), 3, 8),
            Entry("three-c", Label("three-c", 0b1000_1000, 5), uint.MaxValue, long.MaxValue),
        };

        var twenty = new List<MapEntry>();
        for (var i = 0; i < 20; i++)
        {
            twenty.Add(Entry($"twenty-{i}", Label($"twenty-{i}"), (uint)(1 + (i % 4)), 100 + (i * 3)));
        }

        var maps = new JsonArray
        {
            Map("empty", empty, [(Label("empty-q"), MapProofKind.AbsentEmpty)]),
            Map("one", one, [(Label("one-q"), MapProofKind.AbsentOther)]),
            Map("two", two,
            [
                (Label("two-q1", 0b1000_0000, 1), MapProofKind.AbsentEmpty),
                (Label("two-q2", 0b0000_0000, 5), MapProofKind.AbsentOther),
                (Label("two-q3", 0b0100_0000, 2), MapProofKind.AbsentEmpty),
            ]),
            Map("three", three,
            [
                (Label("three-q1", 0b1100_0000, 2), MapProofKind.AbsentEmpty),
                (Label("three-q2", 0b0000_0000, 1), MapProofKind.AbsentOther),
                (Label("three-q3", 0b1000_1000, 5), MapProofKind.AbsentOther),
            ]),
            Map("twenty", twenty,
            [
                (Label("twenty-q0"), MapProofKind.AbsentOther),
                (Label("twenty-q1"), MapProofKind.AbsentOther),
                (Label("twenty-q2"), MapProofKind.AbsentEmpty),
                (Label("twenty-q10"), MapProofKind.AbsentEmpty),
                (FlipLastBit(twenty[0].Label.Span), MapProofKind.AbsentOther),
            ]),
        };

        return new JsonObject
        {
            ["description"] = "DarkMail Directory label map (spec/map.md): a compressed sparse Merkle tree over label bits, MSB-first. " +
                "mapLeafHash = SHA-256(0x02 || label || version u32 || leafIndex u64 || leafHash); interior = SHA-256(0x03 || left || right); EMPTY = 32 zero bytes. " +
                "maps: every proof verifies as 'valid' (inclusion with the member's entry, absence with the label). " +
                "invalid: decode the proof and expect 'error', or verify it ('latest' with 'entry', 'absent' with 'label') against 'root' and expect 'status'. " +
                "derivation: apply the log entries from firstIndex; 'entries' is the resulting map and 'rootAfter' the root after each entry.",
            ["maps"] = maps,
            ["invalid"] = Invalid(three, twenty),
            ["derivation"] = new JsonArray { Derivation() },
        };
    }

    private static JsonObject Map(string name, List<MapEntry> entries, (byte[] Label, MapProofKind Kind)[] nonMembers)
    {
        var map = LabelMap.Empty.With(entries);
        var proofs = new JsonArray();
        foreach (var entry in entries.OrderBy(e => Hex(e.Label.Span), StringComparer.Ordinal))
        {
            var proof = map.Prove(entry.Label.Span);
            Expect(proof.Kind == MapProofKind.Inclusion && proof.VerifyLatest(map.RootHash, entry) == MapProofStatus.Valid, $"{name}: inclusion of {entry}");
            proofs.Add(new JsonObject { ["label"] = Hex(entry.Label.Span), ["kind"] = KindName(proof.Kind), ["depth"] = proof.Depth, ["proof"] = Hex(proof.Encode()) });
        }

        foreach (var (label, kind) in nonMembers)
        {
            var proof = map.Prove(label);
            Expect(proof.Kind == kind && proof.VerifyAbsent(map.RootHash, label) == MapProofStatus.Valid, $"{name}: absence of {Hex(label)} is {proof.Kind}, expected {kind}");
            proofs.Add(new JsonObject { ["label"] = Hex(label), ["kind"] = KindName(proof.Kind), ["depth"] = proof.Depth, ["proof"] = Hex(proof.Encode()) });
        }

        return new JsonObject
        {
            ["name"] = name,
            ["entries"] = new JsonArray([.. entries.Select(e => (JsonNode)EntryNode(e))]),
            ["root"] = Hex(map.RootHash),
            ["proofs"] = proofs,
        };
    }

    private static JsonArray Invalid(List<MapEntry> threeEntries, List<MapEntry> twentyEntries)
    {
        var three = LabelMap.Empty.With(threeEntries);
        var twenty = LabelMap.Empty.With(twentyEntries);
        var root = twenty.Root;

        // An inclusion proof whose depth is not a multiple of 8 (so its bitmap has padding) and
        // whose siblings include an empty one, the same for absences of both kinds.
        var member = twentyEntries.First(e => twenty.Prove(e.Label.Span).Depth is > 2 and < 8);
        var inclusion = twenty.Prove(member.Label.Span).Encode();
        var qOther = Label("twenty-q0");
        var absentOther = twenty.Prove(qOther).Encode();
        var qEmpty = Label("twenty-q2");
        var absentEmpty = twenty.Prove(qEmpty).Encode();
        var otherDepth = BinaryPrimitives.ReadUInt16BigEndian(absentOther.AsSpan(1));
        var otherLabel = absentOther.AsSpan(absentOther.Length - 76, 32).ToArray();
        var offPath = twentyEntries.First(e => Bits(e.Label.Span, qOther) < otherDepth);
        var bitmapBytes = (BinaryPrimitives.ReadUInt16BigEndian(inclusion.AsSpan(1)) + 7) / 8;
        var firstSibling = 3 + bitmapBytes;

        var cases = new JsonArray
        {
            Decoding("empty", [], MapErrors.ProofLength),
            Decoding("kind-0x00", Patch(inclusion, 0, 0x00), MapErrors.ProofKind),
            Decoding("kind-0x04", Patch(inclusion, 0, 0x04), MapErrors.ProofKind),
            Decoding("kind-only", [0x01], MapErrors.ProofLength),
            Decoding("depth-cut", [0x01, 0x00], MapErrors.ProofLength),
            Decoding("depth-257", WithDepth(inclusion, 257), MapErrors.ProofDepth),
            Decoding("depth-65535", WithDepth(inclusion, 0xffff), MapErrors.ProofDepth),
            Decoding("depth-beyond-data", WithDepth(inclusion, 256), MapErrors.ProofLength),
            Decoding("bitmap-cut", inclusion[..3], MapErrors.ProofLength),
            Decoding("truncated", inclusion[..^1], MapErrors.ProofLength),
            Decoding("trailing-byte", [.. inclusion, 0x00], MapErrors.ProofLength),
            Decoding("absent-other-without-entry", absentOther[..^76], MapErrors.ProofLength),
            Decoding("absent-empty-with-entry", [.. absentEmpty, .. absentOther[^76..]], MapErrors.ProofLength),
            Decoding("padding-bit", VectorBytes.FlipBit(inclusion, 3 + bitmapBytes - 1, 0), MapErrors.ProofPadding),
            Decoding("sibling-marked-empty", ClearFirstSiblingBit(inclusion), MapErrors.ProofLength),
            Decoding("sibling-zero", Zero(inclusion, firstSibling, 32), MapErrors.ProofSibling),
            Decoding("other-version-zero", Zero(absentOther, absentOther.Length - 44, 4), MapErrors.ProofVersion),
            Decoding("other-index-2^63", Patch(absentOther, absentOther.Length - 40, 0x80), MapErrors.ProofIndex),

            Latest("flipped-sibling-bit", root, VectorBytes.FlipBit(inclusion, firstSibling + 5, 3), member, MapProofStatus.RootMismatch),
            Latest("other-version", root, inclusion, WithVersion(member, member.Version + 1), MapProofStatus.RootMismatch),
            Latest("other-leaf-index", root, inclusion, new MapEntry(member.Label.Span, member.Version, member.LeafIndex + 1, member.LeafHash.Span), MapProofStatus.RootMismatch),
            Latest("other-root", three.Root, inclusion, member, MapProofStatus.RootMismatch),
            Latest("absence-proof-as-latest", root, absentOther, member, MapProofStatus.WrongKind),
            Latest("deepest-sibling-empty", root, Deeper(inclusion), member, MapProofStatus.NotCanonical),
            Absent("inclusion-proof-as-absence", root, inclusion, member.Label.Span.ToArray(), MapProofStatus.WrongKind),
            Absent("inclusion-kind-changed-to-absent-empty", root, Patch(inclusion, 0, 0x02), member.Label.Span.ToArray(), MapProofStatus.RootMismatch),
            Absent("absent-empty-deepest-sibling-empty", root, Deeper(absentEmpty), qEmpty, MapProofStatus.NotCanonical),
            Absent("absent-other-deepest-sibling-empty", root, Deeper(absentOther), qOther, MapProofStatus.NotCanonical),
            Absent("other-label-off-path", root, [.. absentOther[..^76], .. Encoded(offPath)], qOther, MapProofStatus.LabelMismatch),
            Absent("other-label-equals-queried", root, absentOther, otherLabel, MapProofStatus.LabelMismatch),
            Absent("other-entry-version", root, Patch(absentOther, absentOther.Length - 41, (byte)(absentOther[^41] ^ 0x01)), qOther, MapProofStatus.RootMismatch),
            Absent("absent-empty-at-root-of-non-empty-map", root, [0x02, 0x00, 0x00], qEmpty, MapProofStatus.RootMismatch),
            Absent("absent-empty-other-label", root, absentEmpty, FlipBit0(qEmpty), MapProofStatus.RootMismatch),
        };
        return cases;
    }

    // A log of two labels, then a third: publish, rotate, a truncated leaf, reset, a repeated
    // and a lower version, a revoke, an entry of another format, a rotate without custody
    // (consistency check 10 of spec/leaves.md fails, but the leaf is well formed, so it
    // advances the head as in spec/leaves.md §2.4, past a gap), and a publish.
    private static JsonObject Derivation()
    {
        var a = LeafKit.Label("map-a");
        var b = LeafKit.Label("map-b");
        var c = LeafKit.Label("map-c");
        var a1 = LeafKit.Key("map-a-1");
        var a2 = LeafKit.Key("map-a-2");
        const ulong t = 1767225600000;
        byte[][] leaves =
        [
            LeafKit.Raw(LeafEvent.Publish, t, a, 1, a1, null),
            LeafKit.Raw(LeafEvent.Publish, t + 1, b, 1, LeafKit.Key("map-b-1"), null),
            LeafKit.Raw(LeafEvent.Rotate, t + 2, a, 2, a2, a1),
            LeafKit.Raw(LeafEvent.Rotate, t + 3, a, 3, LeafKit.Key("map-a-3"), a2)[..174],
            LeafKit.Raw(LeafEvent.Reset, t + 4, b, 2, LeafKit.Key("map-b-2"), null),
            LeafKit.Raw(LeafEvent.Rotate, t + 5, a, 2, LeafKit.Key("map-a-2bis"), a1),
            LeafKit.Raw(LeafEvent.Publish, t + 6, a, 1, LeafKit.Key("map-a-1bis"), null),
            LeafKit.Raw(LeafEvent.Revoke, t + 7, a, 3, LeafKit.Key("map-a-3"), a2),
            [0x02, .. Encoding.ASCII.GetBytes("a configuration entry of a later format")],
            LeafKit.Raw(LeafEvent.Rotate, t + 9, b, 4, LeafKit.Key("map-b-4"), null),
            LeafKit.Raw(LeafEvent.Publish, t + 10, c, 1, LeafKit.Key("map-c-1"), null),
        ];
        string[] notes =
        [
            "publish a v1: a's entry", "publish b v1: b's entry", "rotate a v2: a's entry",
            "truncated rotate a v3 (leaf.length): nothing", "reset b v2: b's entry",
            "rotate a v2 again (version not above 2): nothing", "publish a v1 again (lower): nothing",
            "revoke a v3: a's entry", "another format (leaf.format-version): nothing",
            "rotate b v4 without custody (well formed; leaf.custody-missing is a consistency rule): b's entry",
            "publish c v1: c's entry",
        ];
        const long firstIndex = 0;
        var expected = new[] { (a, 3u, 7L), (b, 4u, 9L), (c, 1u, 10L) };

        var map = LabelMap.Empty;
        var leafNodes = new JsonArray();
        for (var i = 0; i < leaves.Length; i++)
        {
            map = map.ApplyLeaves(firstIndex + i, [leaves[i]]);
            leafNodes.Add(new JsonObject { ["index"] = firstIndex + i, ["leaf"] = Hex(leaves[i]), ["note"] = notes[i], ["rootAfter"] = Hex(map.RootHash) });
        }

        var once = LabelMap.Empty.ApplyLeaves(firstIndex, [.. leaves.Select(l => (ReadOnlyMemory<byte>)l)]);
        Expect(once.RootHash.SequenceEqual(map.RootHash), "derivation: one call and one call per leaf disagree");
        Expect(once.Count == expected.Length, "derivation: label count");
        var entries = new JsonArray();
        foreach (var (label, version, index) in expected)
        {
            var entry = once.Find(label);
            var leafHash = Transparency.Merkle.Rfc6962.HashLeaf(leaves[index]);
            Expect(entry is not null && entry.Equals(new MapEntry(label, version, index, leafHash)), $"derivation: entry of {Hex(label)} is {entry}");
            entries.Add(EntryNode(entry!));
        }

        return new JsonObject
        {
            ["name"] = "publish-rotate-reset-revoke",
            ["firstIndex"] = firstIndex,
            ["leaves"] = leafNodes,
            ["entries"] = entries,
            ["root"] = Hex(once.RootHash),
        };
    }

    private static JsonObject Decoding(string name, byte[] proof, string error)
    {
        var ok = MapProof.TryDecode(proof, out _, out var code);
        Expect(!ok && code == error, $"{name}: decodes with {code ?? "no error"}, expected {error}");
        return new JsonObject { ["name"] = name, ["proof"] = Hex(proof), ["error"] = error };
    }

    private static JsonObject Latest(string name, byte[] root, byte[] proof, MapEntry entry, MapProofStatus status)
    {
        var actual = MapProof.Decode(proof).VerifyLatest(root, entry);
        Expect(actual == status, $"{name}: {actual}, expected {status}");
        return new JsonObject
        {
            ["name"] = name,
            ["proof"] = Hex(proof),
            ["root"] = Hex(root),
            ["check"] = "latest",
            ["entry"] = EntryNode(entry),
            ["status"] = StatusName(status),
        };
    }

    private static JsonObject Absent(string name, byte[] root, byte[] proof, byte[] label, MapProofStatus status)
    {
        var actual = MapProof.Decode(proof).VerifyAbsent(root, label);
        Expect(actual == status, $"{name}: {actual}, expected {status}");
        return new JsonObject
        {
            ["name"] = name,
            ["proof"] = Hex(proof),
            ["root"] = Hex(root),
            ["check"] = "absent",
            ["label"] = Hex(label),
            ["status"] = StatusName(status),
        };
    }

    private static string KindName(MapProofKind kind) => kind switch
    {
        MapProofKind.Inclusion => "inclusion",
        MapProofKind.AbsentEmpty => "absent-empty",
        MapProofKind.AbsentOther => "absent-other",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string StatusName(MapProofStatus status) => status switch
    {
        MapProofStatus.Valid => "valid",
        MapProofStatus.WrongKind => "wrong-kind",
        MapProofStatus.RootMismatch => "root-mismatch",
        MapProofStatus.NotCanonical => "not-canonical",
        MapProofStatus.LabelMismatch => "label-mismatch",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static JsonObject EntryNode(MapEntry e) => new()
    {
        ["label"] = Hex(e.Label.Span),
        ["version"] = e.Version,
        ["leafIndex"] = e.LeafIndex,
        ["leafHash"] = Hex(e.LeafHash.Span),
        ["mapLeafHash"] = Hex(e.MapLeafHash()),
    };

    /// <summary>A label from a seed string, its first <paramref name="bits"/> bits replaced by those of <paramref name="prefix"/>.</summary>
    private static byte[] Label(string name, byte prefix = 0, int bits = 0)
    {
        var label = SHA256.HashData(Encoding.UTF8.GetBytes("dmd map vector label " + name));
        var mask = (byte)(0xff00 >> bits);
        label[0] = (byte)((label[0] & ~mask) | (prefix & mask));
        return label;
    }

    private static MapEntry Entry(string name, byte[] label, uint version, long leafIndex) =>
        new(label, version, leafIndex, SHA256.HashData(Encoding.UTF8.GetBytes("dmd map vector leaf " + name)));

    private static MapEntry WithVersion(MapEntry e, uint version) => new(e.Label.Span, version, e.LeafIndex, e.LeafHash.Span);

    private static byte[] Encoded(MapEntry e)
    {
        var bytes = new byte[76];
        e.Label.Span.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(32), e.Version);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(36), e.LeafIndex);
        e.LeafHash.Span.CopyTo(bytes.AsSpan(44));
        return bytes;
    }

    private static int Bits(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var i = 0;
        while (i < 256 && ((x[i / 8] ^ y[i / 8]) & (0x80 >> (i % 8))) == 0)
        {
            i++;
        }

        return i;
    }

    private static byte[] WithDepth(byte[] proof, int depth)
    {
        var copy = (byte[])proof.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(1), (ushort)depth);
        return copy;
    }

    // The same path one level deeper, the new deepest sibling empty: what a prover that failed
    // to collapse the terminal would send. Re-encoded field by field.
    private static byte[] Deeper(byte[] proof)
    {
        var depth = BinaryPrimitives.ReadUInt16BigEndian(proof.AsSpan(1));
        var oldBitmap = (depth + 7) / 8;
        var newBitmap = (depth + 8) / 8;
        var result = new byte[proof.Length + newBitmap - oldBitmap];
        result[0] = proof[0];
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(1), (ushort)(depth + 1));
        proof.AsSpan(3, oldBitmap).CopyTo(result.AsSpan(3));
        proof.AsSpan(3 + oldBitmap).CopyTo(result.AsSpan(3 + newBitmap));
        return result;
    }

    // The bitmap's first set bit cleared: one sibling fewer than the bytes that follow hold.
    private static byte[] ClearFirstSiblingBit(byte[] proof)
    {
        var copy = (byte[])proof.Clone();
        var i = 3;
        while (copy[i] == 0)
        {
            i++;
        }

        copy[i] &= (byte)~(0x80 >> (System.Numerics.BitOperations.LeadingZeroCount((uint)copy[i]) - 24));
        return copy;
    }

    private static byte[] Patch(byte[] bytes, int offset, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] = value;
        return copy;
    }

    private static byte[] Zero(byte[] bytes, int offset, int count)
    {
        var copy = (byte[])bytes.Clone();
        copy.AsSpan(offset, count).Clear();
        return copy;
    }

    private static byte[] FlipLastBit(ReadOnlySpan<byte> label) => VectorBytes.FlipBit(label, 31, 0);

    private static byte[] FlipBit0(byte[] label) => VectorBytes.FlipBit(label, 0, 7);

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Map vectors: " + what);
        }
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => VectorBytes.Hex(bytes);
}
