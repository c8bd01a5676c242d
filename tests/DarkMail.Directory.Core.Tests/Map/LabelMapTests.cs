using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Tests.Configuration;
using DarkMail.Directory.Core.Tests.Leaves;

namespace DarkMail.Directory.Core.Tests.Map;

public class LabelMapTests
{
    private static readonly byte[] LabelA = Convert.FromHexString("08e0a58c4998828416b679f6bb40a954d7854fd384ed204728dd7e6aad1364d3");
    private static readonly byte[] LabelB = Convert.FromHexString("1b67eaea158dd44f5a2ae52fe9c86c6b60be49eb01bbab07052e1878f63236b6");

    private static MapEntry E(byte[] label, uint version = 1, long index = 0) => MapGen.Entry(label, version, index, 7);

    private static byte[] RandomLabel(Random random)
    {
        var label = new byte[32];
        random.NextBytes(label);
        return label;
    }

    [Fact]
    public void Empty_NoEntries_RootIsEmptyRoot()
    {
        Assert.Equal(0, LabelMap.Empty.Count);
        Assert.Equal(new byte[32], LabelMap.Empty.Root);
        Assert.Equal(new byte[32], LabelMap.EmptyRoot.ToArray());
        Assert.True(LabelMap.Empty.RootHash.SequenceEqual(LabelMap.EmptyRoot));
        Assert.Null(LabelMap.Empty.Find(LabelA));
    }

    [Fact]
    public void With_OneEntry_RootIsItsMapLeafHash()
    {
        var entry = E(LabelA, 3, 9);

        var map = LabelMap.Empty.With([entry]);

        Assert.Equal(1, map.Count);
        Assert.Equal(entry.MapLeafHash(), map.Root);
    }

    [Fact]
    public void With_TwoLabelsSharingThreeBits_RootHashesUpThroughEmptyLevels()
    {
        var a = E(LabelA);
        var b = E(LabelB, 2, 5);

        var map = LabelMap.Empty.With([b, a]);

        // 0x08 = 0000 1000 and 0x1b = 0001 1011 part at bit 3, a on the left; levels 2, 1, 0
        // each add an empty right sibling.
        var hash = SHA256.HashData([0x03, .. a.MapLeafHash(), .. b.MapLeafHash()]);
        for (var level = 2; level >= 0; level--)
        {
            hash = SHA256.HashData([0x03, .. hash, .. new byte[32]]);
        }

        Assert.Equal(hash, map.Root);
    }

    [Fact]
    public void Root_ReturnsCopy_MapUnchangedWhenCallerWrites()
    {
        var map = LabelMap.Empty.With([E(LabelA)]);
        var root = map.Root;

        root[0] ^= 0xff;

        Assert.NotEqual(root, map.Root);
        Assert.Equal(map.Root, map.RootHash.ToArray());
    }

    [Fact]
    public void With_RandomBatches_RootCountAndFindMatchNaiveModel()
    {
        MapGen.Batches.Sample(input =>
        {
            var map = LabelMap.Empty;
            var model = new Dictionary<string, MapEntry>(StringComparer.Ordinal);
            foreach (var batch in input.Batches)
            {
                map = map.With(batch);
                foreach (var entry in batch)
                {
                    model[Convert.ToHexString(entry.Label.Span)] = entry;
                }

                Assert.Equal(NaiveMap.Root(model.Values), map.Root);
                Assert.Equal(model.Count, map.Count);
            }

            foreach (var label in input.Labels)
            {
                Assert.Equal(model.GetValueOrDefault(Convert.ToHexString(label)), map.Find(label));
            }
        }, iter: 300);
    }

    [Fact]
    public void With_SameSetInOtherBatches_SameRoot()
    {
        Gen.Select(MapGen.Labels, Gen.Int).Sample((labels, seed) =>
        {
            var entries = labels.Distinct(ByteArrays.Comparer).Select((l, i) => E(l, 1, i)).ToList();
            var random = new Random(seed);
            var shuffled = entries.OrderBy(_ => random.Next()).ToList();
            var cut = random.Next(shuffled.Count + 1);

            var once = LabelMap.Empty.With(entries);
            var twice = LabelMap.Empty.With(shuffled.Take(cut)).With(shuffled.Skip(cut));
            var oneByOne = shuffled.Aggregate(LabelMap.Empty, (m, e) => m.With([e]));

            Assert.Equal(once.Root, twice.Root);
            Assert.Equal(once.Root, oneByOne.Root);
        }, iter: 200);
    }

    [Fact]
    public void With_LabelTwiceInBatch_LastWins()
    {
        var first = E(LabelA, 5, 1);
        var last = E(LabelA, 2, 2);

        var map = LabelMap.Empty.With([first, E(LabelB), last]);

        Assert.Equal(last, map.Find(LabelA));
        Assert.Equal(2, map.Count);
        Assert.Equal(LabelMap.Empty.With([E(LabelB), last]).Root, map.Root);
    }

    [Fact]
    public void With_ManyRepeatsOfOneLabel_LastWinsWhateverTheSort()
    {
        var entries = Enumerable.Range(1, 100).Select(i => E(LabelA, (uint)i, i)).ToList();

        var map = LabelMap.Empty.With(entries);

        Assert.Equal(entries[^1], map.Find(LabelA));
    }

    [Fact]
    public void With_LowerVersion_StillReplaces()
    {
        // With is the raw upsert; only the log derivation compares versions.
        var map = LabelMap.Empty.With([E(LabelA, 5)]).With([E(LabelA, 2)]);

        Assert.Equal(2u, map.Find(LabelA)!.Version);
    }

    [Fact]
    public void With_NothingNewOrSameEntries_ReturnsSameMap()
    {
        var map = LabelMap.Empty.With([E(LabelA), E(LabelB)]);

        Assert.Same(map, map.With([]));
        Assert.Same(map, map.With([E(LabelB), E(LabelA)]));
    }

    [Fact]
    public void With_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => LabelMap.Empty.With(null!));
        Assert.Throws<ArgumentNullException>(() => LabelMap.Empty.With([E(LabelA), null!]));
    }

    [Fact]
    public void With_LabelsDifferingInLastBit_ProofsOfDepth256()
    {
        var other = FlipBit(LabelA, 31, 0);
        var map = LabelMap.Empty.With([E(LabelA), E(other)]);

        var proof = map.Prove(LabelA);

        Assert.Equal((MapProofKind.Inclusion, 256), (proof.Kind, proof.Depth));
        Assert.Equal(3 + 32 + 32, proof.EncodedLength);
        Assert.Equal(MapProofStatus.Valid, MapProof.Decode(proof.Encode()).VerifyLatest(map.RootHash, E(LabelA)));
        Assert.Equal(NaiveMap.Root([E(LabelA), E(other)]), map.Root);
        var absent = map.Prove(FlipBit(LabelA, 31, 1));
        Assert.Equal((MapProofKind.AbsentEmpty, 255), (absent.Kind, absent.Depth));
        Assert.Equal(MapProofStatus.Valid, absent.VerifyAbsent(map.RootHash, FlipBit(LabelA, 31, 1)));
    }

    [Fact]
    public void Find_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => LabelMap.Empty.Find(new byte[31]));
        Assert.Throws<ArgumentException>(() => LabelMap.Empty.Prove(new byte[33]));
    }

    [Fact]
    public void Prove_RandomMaps_EqualsNaiveProofAndVerifies()
    {
        Gen.Select(MapGen.Batches, Gen.Int).Sample((input, seed) =>
        {
            var map = input.Batches.Aggregate(LabelMap.Empty, (m, b) => m.With(b));
            var entries = input.Labels.Select(l => map.Find(l)).OfType<MapEntry>().Distinct().ToList();
            var random = new Random(seed);
            var queries = input.Labels.Concat(Enumerable.Range(0, 4).Select(_ => RandomLabel(random)))
                .Concat(input.Labels.Select(l => FlipBit(l, random.Next(32), random.Next(8))));

            foreach (var label in queries)
            {
                var proof = map.Prove(label);
                Assert.Equal(NaiveMap.Proof(entries, label), proof.Encode());
                var entry = map.Find(label);
                var status = entry is null ? proof.VerifyAbsent(map.RootHash, label) : proof.VerifyLatest(map.RootHash, entry);
                Assert.Equal(MapProofStatus.Valid, status);
            }
        }, iter: 100);
    }

    [Fact]
    public void Prove_AgainstAnotherRoot_RootMismatch()
    {
        MapGen.Labels.Where(l => l.Length > 2).Sample(labels =>
        {
            var map = LabelMap.Empty.With(labels.Select(l => E(l)));
            var changed = map.With([E(labels[0], 2)]);

            foreach (var label in labels.Skip(1))
            {
                Assert.Equal(MapProofStatus.RootMismatch, map.Prove(label).VerifyLatest(changed.RootHash, map.Find(label)!));
            }

            Assert.Equal(MapProofStatus.RootMismatch, map.Prove(labels[0]).VerifyLatest(changed.RootHash, map.Find(labels[0])!));
            Assert.Equal(MapProofStatus.RootMismatch, changed.Prove(labels[0]).VerifyLatest(changed.RootHash, map.Find(labels[0])!));
        }, iter: 100);
    }

    [Fact]
    public void Prove_ManyRandomLabels_BothAbsenceKindsOccurAndVerify()
    {
        var random = new Random(8);
        var map = LabelMap.Empty.With(Enumerable.Range(0, 1000).Select(i => E(RandomLabel(random), 1, i)));
        var kinds = new HashSet<MapProofKind>();

        for (var i = 0; i < 2000; i++)
        {
            var label = RandomLabel(random);
            var proof = map.Prove(label);
            kinds.Add(proof.Kind);
            Assert.Equal(MapProofStatus.Valid, proof.VerifyAbsent(map.RootHash, label));
        }

        Assert.Equal([MapProofKind.AbsentEmpty, MapProofKind.AbsentOther], kinds.Order());
    }

    [Fact]
    public void With_LaterVersions_OldVersionRootFindAndProofsUnchanged()
    {
        MapGen.Batches.Sample(input =>
        {
            var versions = new List<(LabelMap Map, byte[] Root, byte[][] Proofs, MapEntry?[] Found)>();
            var map = LabelMap.Empty;
            foreach (var batch in input.Batches)
            {
                map = map.With(batch);
                versions.Add((map, map.Root, [.. input.Labels.Select(l => map.Prove(l).Encode())], [.. input.Labels.Select(l => map.Find(l))]));
            }

            foreach (var (old, root, proofs, found) in versions)
            {
                Assert.Equal(root, old.Root);
                Assert.Equal(proofs, input.Labels.Select(l => old.Prove(l).Encode()));
                Assert.Equal(found, input.Labels.Select(l => old.Find(l)));
            }
        }, iter: 100);
    }

    [Fact]
    public async Task Prove_ConcurrentReadersWhileWriting_ProofsOfEachVersionVerify()
    {
        var random = new Random(3);
        var labels = Enumerable.Range(0, 2000).Select(_ => RandomLabel(random)).ToArray();
        var map = LabelMap.Empty.With(labels.Take(1000).Select(l => E(l)));
        var root = map.Root;

        var writer = Task.Run(() =>
        {
            var next = map;
            for (var i = 1000; i < 2000; i += 10)
            {
                next = next.With(labels.Skip(i).Take(10).Select(l => E(l, 2)));
            }

            return next;
        });
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            for (var i = r; i < 2000; i += 4)
            {
                var entry = map.Find(labels[i]);
                var proof = map.Prove(labels[i]);
                var status = entry is null ? proof.VerifyAbsent(root, labels[i]) : proof.VerifyLatest(root, entry);
                Assert.Equal(MapProofStatus.Valid, status);
            }
        }));
        await Task.WhenAll([writer, .. readers]);

        Assert.Equal(root, map.Root);
        Assert.Equal(2000, (await writer).Count);
    }

    [Fact]
    public void ApplyLeaves_RandomLogs_EqualsNaiveLatestPerLabel()
    {
        TestLogs.Random.Sample(log =>
        {
            var cuts = log.Cuts;
            var map = LabelMap.Empty;
            var start = 0;
            foreach (var cut in cuts.Append(log.Leaves.Count))
            {
                map = map.ApplyLeaves(log.FirstIndex + start, log.Leaves.Skip(start).Take(cut - start).Select(l => (ReadOnlyMemory<byte>)l).ToList());
                start = cut;
            }

            var expected = NaiveMap.Latest(log.Leaves.Select((l, i) => (log.FirstIndex + i, l)));
            Assert.Equal(expected.Count, map.Count);
            foreach (var entry in expected.Values)
            {
                Assert.Equal(entry, map.Find(entry.Label.Span));
            }

            Assert.Equal(NaiveMap.Root(expected.Values), map.Root);
        }, iter: 300);
    }

    [Fact]
    public void ApplyLeaves_RandomLogs_EntryVersionIsChainValidatorsHead()
    {
        TestLogs.Random.Sample(log =>
        {
            var validator = new LeafChainValidator(log.FirstIndex);
            for (var i = 0; i < log.Leaves.Count; i++)
            {
                validator.Consume(log.FirstIndex + i, log.Leaves[i]);
            }

            var map = LabelMap.Empty.ApplyLeaves(log.FirstIndex, [.. log.Leaves.Select(l => (ReadOnlyMemory<byte>)l)]);

            // Validator state (spec/leaves.md §3.1): 105-byte header, then label(32) || version(4) || key(32) || flag(1).
            var state = validator.ExportState();
            var heads = Enumerable.Range(0, (state.Length - 105) / 69)
                .Select(i => (Label: state[(105 + (i * 69))..(137 + (i * 69))], Version: BinaryPrimitives.ReadUInt32BigEndian(state.AsSpan(137 + (i * 69)))))
                .ToList();
            Assert.Equal(heads.Count, map.Count);
            Assert.All(heads, head => Assert.Equal(head.Version, map.Find(head.Label)!.Version));
        }, iter: 200);
    }

    [Fact]
    public void ApplyLeaves_RotateWithoutCustody_AdvancesAsChainHead()
    {
        var label = TestLeaves.Label("map-custody");
        var publish = TestLeaves.Raw(LeafEvent.Publish, TestLeaves.T0, label, 1, TestLeaves.Key("m1"), null);
        var rotate = TestLeaves.Raw(LeafEvent.Rotate, TestLeaves.T0, label, 2, TestLeaves.Key("m2"), null);
        Assert.False(LogLeaf.TryDecode(rotate, out _, out var code));
        Assert.Equal(LeafErrors.CustodyMissing, code);

        var map = LabelMap.Empty.ApplyLeaves(10, [publish, rotate]);

        Assert.Equal(new MapEntry(label, 2, 11, SHA256.HashData([0x00, .. rotate])), map.Find(label));
    }

    [Fact]
    public void ApplyLeaves_SameLabelInOneCall_AppliedInOrder()
    {
        var label = TestLeaves.Label("map-order");
        byte[] Leaf(LeafEvent e, uint v) => TestLeaves.Raw((byte)e, TestLeaves.T0, label, v, new byte[32], new byte[32], e is LeafEvent.Rotate or LeafEvent.Revoke ? new byte[64] : null);
        var leaves = new[] { Leaf(LeafEvent.Publish, 1), Leaf(LeafEvent.Reset, 3), Leaf(LeafEvent.Rotate, 2), Leaf(LeafEvent.Reset, 4), Leaf(LeafEvent.Reset, 4) };

        var map = LabelMap.Empty.ApplyLeaves(0, [.. leaves.Select(l => (ReadOnlyMemory<byte>)l)]);

        Assert.Equal(new MapEntry(label, 4, 3, SHA256.HashData([0x00, .. leaves[3]])), map.Find(label));
    }

    [Fact]
    public void ApplyLeaves_NothingAdvances_ReturnsSameMap()
    {
        var label = TestLeaves.Label("map-same");
        var publish = TestLeaves.Raw((byte)LeafEvent.Publish, TestLeaves.T0, label, 1, new byte[32], new byte[32], null);
        var map = LabelMap.Empty.ApplyLeaves(0, [publish]);

        Assert.Same(map, map.ApplyLeaves(1, [publish, publish[..100], new byte[] { 0x02 }]));
        Assert.Same(map, map.ApplyLeaves(2, []));
    }

    [Fact]
    public void Entries_Empty_None()
    {
        Assert.Empty(LabelMap.Empty.Entries());
    }

    [Fact]
    public void Entries_RandomBatches_EveryEntryOnceInAscendingLabelOrder()
    {
        MapGen.Batches.Sample(input =>
        {
            var map = input.Batches.Aggregate(LabelMap.Empty, (m, batch) => m.With(batch));
            var model = new Dictionary<string, MapEntry>(StringComparer.Ordinal);
            foreach (var entry in input.Batches.SelectMany(b => b))
            {
                model[Convert.ToHexString(entry.Label.Span)] = entry;
            }

            var entries = map.Entries().ToList();

            Assert.Equal(model.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value), entries);
            Assert.Equal(map.Count, entries.Count);
        }, iter: 300);
    }

    [Fact]
    public void Entries_RebuiltWithWith_SameRootAndEntries()
    {
        TestLogs.Random.Sample(log =>
        {
            var map = LabelMap.Empty.ApplyLeaves(log.FirstIndex, [.. log.Leaves.Select(l => (ReadOnlyMemory<byte>)l)]);

            var rebuilt = LabelMap.Empty.With(map.Entries());

            Assert.Equal(map.Root, rebuilt.Root);
            Assert.Equal(map.Count, rebuilt.Count);
            Assert.Equal(map.Entries(), rebuilt.Entries());
        }, iter: 200);
    }

    [Fact]
    public void Entries_OlderVersionWhileNewerBuilt_StillItsOwnEntries()
    {
        var older = LabelMap.Empty.With([E(LabelA, 1, 0)]);
        using var enumerator = older.Entries().GetEnumerator();

        var newer = older.With([E(LabelA, 2, 1), E(LabelB, 1, 2)]);

        Assert.True(enumerator.MoveNext());
        Assert.Equal(E(LabelA, 1, 0), enumerator.Current);
        Assert.False(enumerator.MoveNext());
        Assert.Equal([E(LabelA, 2, 1), E(LabelB, 1, 2)], newer.Entries());
    }

    [Fact]
    public void Entries_LabelsDifferingInLastBit_BothInOrder()
    {
        var low = (byte[])LabelA.Clone();
        low[31] &= 0xfe;
        var high = (byte[])low.Clone();
        high[31] |= 0x01;

        var map = LabelMap.Empty.With([E(high, 1, 1), E(low, 1, 0)]);

        Assert.Equal([E(low, 1, 0), E(high, 1, 1)], map.Entries());
    }

    [Fact]
    public void ApplyLeaves_ConfigurationEntries_ReservedLabelHoldsTheLatestWithItsNumberAsVersion()
    {
        var label = TestLeaves.Label("map-config");
        var publish = TestLeaves.Raw((byte)LeafEvent.Publish, TestLeaves.T0, label, 1, new byte[32], new byte[32], null);
        var first = TestConfigurations.Bytes(1);
        var second = TestConfigurations.Make(2, keys: "b").Encode();

        var map = LabelMap.Empty.ApplyLeaves(0, [first, publish]);
        var next = map.ApplyLeaves(2, [second]);

        Assert.Equal(2, map.Count);
        Assert.Equal(new MapEntry(ConfigurationEntry.MapLabel, 1, 0, SHA256.HashData([0x00, .. first])), map.Find(ConfigurationEntry.MapLabel));
        Assert.Equal(new MapEntry(label, 1, 1, SHA256.HashData([0x00, .. publish])), map.Find(label));
        Assert.Equal(new MapEntry(ConfigurationEntry.MapLabel, 2, 2, SHA256.HashData([0x00, .. second])), next.Find(ConfigurationEntry.MapLabel));
        Assert.Equal(map.Find(label), next.Find(label));
    }

    [Fact]
    public void ApplyLeaves_LeafUnderTheReservedLabel_NothingChangesBeforeOrAfterAConfiguration()
    {
        var hostile = TestLeaves.Raw((byte)LeafEvent.Publish, TestLeaves.T0, ConfigurationEntry.MapLabel.ToArray(), 7, new byte[32], new byte[32], null);
        var configured = LabelMap.Empty.ApplyLeaves(0, [TestConfigurations.Bytes(1)]);

        Assert.Same(LabelMap.Empty, LabelMap.Empty.ApplyLeaves(0, [hostile]));
        Assert.Same(configured, configured.ApplyLeaves(1, [hostile]));
        Assert.Equal(1u, configured.Find(ConfigurationEntry.MapLabel)!.Version);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    public void ApplyLeaves_ConfigurationNumberNotAboveTheLatest_NothingChanges(uint number)
    {
        var map = LabelMap.Empty.ApplyLeaves(0, [TestConfigurations.Bytes(2)]);

        Assert.Same(map, map.ApplyLeaves(1, [TestConfigurations.Make(number, TestConfigurations.T0 + 1, keys: "b").Encode()]));
    }

    [Fact]
    public void ApplyLeaves_MalformedConfigurationEntry_NothingChanges()
    {
        var next = TestConfigurations.Make(2, poks: 2).Encode();
        var malformed = new[]
        {
            next[..^1],
            TestConfigurations.WithNumber(next, 0),
            TestConfigurations.PoksSwapped(next),
            TestConfigurations.With(next, 1, 0x02),
        };
        var map = LabelMap.Empty.ApplyLeaves(0, [TestConfigurations.Bytes(1)]);

        Assert.All(malformed, m => Assert.NotNull(ConfigurationEntry.Check(m)));
        Assert.Same(map, map.ApplyLeaves(1, [.. malformed.Select(m => (ReadOnlyMemory<byte>)m)]));
        Assert.Same(LabelMap.Empty, LabelMap.Empty.ApplyLeaves(0, [.. malformed.Select(m => (ReadOnlyMemory<byte>)m)]));
    }

    [Fact]
    public void ApplyLeaves_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelMap.Empty.ApplyLeaves(-1, []));
        Assert.Throws<ArgumentNullException>(() => LabelMap.Empty.ApplyLeaves(0, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelMap.Empty.ApplyLeaves(long.MaxValue, [new byte[1], new byte[1]]));
        Assert.Same(LabelMap.Empty, LabelMap.Empty.ApplyLeaves(long.MaxValue, [new byte[1]]));
    }
}

/// <summary>Byte arrays compared by content.</summary>
internal sealed class ByteArrays : IEqualityComparer<byte[]>
{
    public static readonly ByteArrays Comparer = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = default(HashCode);
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}

/// <summary>A random log for the derivation tests.</summary>
internal sealed record TestLog(long FirstIndex, List<byte[]> Leaves, int[] Cuts);

internal static class TestLogs
{
    /// <summary>
    /// Logs over a few labels: leaves of every event with versions 0–6, with or without a
    /// custody signature (consistent or not), some broken (truncated, another format version,
    /// a bad flag, a bad event) and some of another format altogether; and where to split the
    /// log into ApplyLeaves calls.
    /// </summary>
    public static readonly Gen<TestLog> Random =
        from firstIndex in Gen.Long[0, 1L << 40]
        from items in Gen.Select(Gen.Int[0, 5], Gen.UInt[0, 6], Gen.Byte[0, 5], Gen.Bool, Gen.Int[0, 12]).Array[0, 60]
        from cuts in Gen.Int[0, 60].Array[0, 4]
        select new TestLog(firstIndex, [.. items.Select(Leaf)], [.. cuts.Where(c => c <= items.Length).Distinct().Order()]);

    private static readonly byte[][] Labels = [.. Enumerable.Range(0, 6).Select(i => TestLeaves.Label($"map-log-{i}"))];

    private static byte[] Leaf((int Label, uint Version, byte Event, bool Custody, int Mutation) x)
    {
        var leaf = TestLeaves.Raw(x.Event, TestLeaves.T0, Labels[x.Label], x.Version, SHA256.HashData([x.Event]), SHA256.HashData([(byte)x.Version]), x.Custody ? new byte[64] : null);
        switch (x.Mutation)
        {
            case 0:
                return leaf[..^1];
            case 1:
                leaf[0] = 0x02;
                return leaf;
            case 2:
                leaf[110] = 0x02;
                return leaf;
            case 3:
                return [0x02, .. leaf];
            default:
                return leaf;
        }
    }
}
