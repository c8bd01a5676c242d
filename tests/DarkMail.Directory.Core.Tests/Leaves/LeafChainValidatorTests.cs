using CsCheck;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Tests.Configuration;
using DarkMail.Directory.Transparency;
using NSec.Cryptography;
using static DarkMail.Directory.Core.Tests.Leaves.TestLeaves;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class LeafChainValidatorTests
{
    private static readonly byte[] A = Label("a");
    private static readonly byte[] B = Label("b");

    private static Key KA(int n) => Key($"a-{n}");

    private static Key KB(int n) => Key($"b-{n}");

    private static byte[] PublishA(ulong t = T0) => Raw(LeafEvent.Publish, t, A, 1, KA(1), null);

    private static byte[] RotateA(uint version, ulong t = T0) => Raw(LeafEvent.Rotate, t, A, version, KA((int)version), KA((int)version - 1));

    [Fact]
    public void Consume_ValidChainWithEveryEvent_NoFindingsAndCounts()
    {
        var validator = new LeafChainValidator();
        var findings = Run(validator,
        [
            PublishA(),
            Raw(LeafEvent.Publish, T0, B, 1, KB(1), null),
            RotateA(2),
            Raw(LeafEvent.Revoke, T0 + 1, A, 3, KA(3), KA(2)),
            Raw(LeafEvent.Reset, T0 + 2, A, 4, KA(4), null),
            Raw(LeafEvent.Rotate, T0 + 3, A, 5, KA(5), KA(4)),
            Raw(LeafEvent.Reset, T0 + 3, B, 2, KB(2), null),
        ]);

        Assert.Empty(findings);
        Assert.Equal(new ChainStatistics(7, 2, 2, 2, 2, 1, 0, 0), validator.Statistics);
        Assert.Equal(7, validator.NextIndex);
    }

    [Fact]
    public void Consume_IndexSkipped_IndexOutOfOrderThenResyncs()
    {
        var validator = new LeafChainValidator();
        var findings = new List<ChainFinding>();
        findings.AddRange(validator.Consume(0, PublishA()));
        findings.AddRange(validator.Consume(5, RotateA(2)));
        findings.AddRange(validator.Consume(6, RotateA(3)));

        var finding = Assert.Single(findings);
        Assert.Equal((5L, ChainRules.IndexOutOfOrder), (finding.Index, finding.Rule));
    }

    [Fact]
    public void Consume_FirstIndexGiven_FirstLeafMustHaveIt()
    {
        Assert.Empty(Run(new LeafChainValidator(10), [PublishA()], firstIndex: 10));
        Assert.Equal([(0L, ChainRules.IndexOutOfOrder)], Run(new LeafChainValidator(10), [PublishA()]));
    }

    [Fact]
    public void Consume_TruncatedLeaf_MalformedWithLeafCodeAndNoStateChange()
    {
        var validator = new LeafChainValidator();
        validator.Consume(0, PublishA());

        var finding = Assert.Single(validator.Consume(1, RotateA(2)[..100]));
        Assert.Equal(ChainRules.MalformedLeaf, finding.Rule);
        Assert.Contains(LeafErrors.Length, finding.Explanation, StringComparison.Ordinal);
        Assert.Equal(A[..32], finding.Label.ToArray());

        Assert.Empty(validator.Consume(2, RotateA(2)));
        Assert.Equal(1, validator.Statistics.MalformedLeaves);
        Assert.Equal(1, validator.Statistics.Rotations);
    }

    [Fact]
    public void Consume_TooShortForLabel_MalformedWithEmptyLabel()
    {
        var finding = Assert.Single(new LeafChainValidator().Consume(0, [0x01, 0x01]));

        Assert.Equal(ChainRules.MalformedLeaf, finding.Rule);
        Assert.True(finding.Label.IsEmpty);
        Assert.Equal(new byte[] { 1, 1 }, finding.Leaf.ToArray());
    }

    [Fact]
    public void Consume_TimestampLowerThanPreviousLeaf_Regression()
    {
        var findings = Run(
        [
            PublishA(T0 + 10),
            Raw(LeafEvent.Publish, T0 + 9, B, 1, KB(1), null),
            RotateA(2, T0 + 9),
        ]);

        Assert.Equal([(1L, ChainRules.TimestampRegression)], findings);
    }

    [Fact]
    public void Consume_FirstLeafOfLabelIsRotate_FirstNotPublishAndGap()
    {
        Assert.Equal(
            [(0L, ChainRules.FirstNotPublish), (0L, ChainRules.VersionGap)],
            Run([RotateA(2), RotateA(3)]));
    }

    [Fact]
    public void Consume_SecondPublish_PublishAfterFirstAndDuplicate()
    {
        Assert.Equal(
            [(1L, ChainRules.PublishAfterFirst), (1L, ChainRules.VersionDuplicate)],
            Run([PublishA(), Raw(LeafEvent.Publish, T0, A, 1, KA(9), null), RotateA(2)]));
    }

    [Fact]
    public void Consume_VersionSkipped_OneGapFindingOnly()
    {
        Assert.Equal(
            [(1L, ChainRules.VersionGap)],
            Run([PublishA(), Raw(LeafEvent.Rotate, T0, A, 3, KA(3), KA(1)), RotateA(4)]));
    }

    [Fact]
    public void Consume_VersionRepeated_DuplicateAndStateKeepsFirst()
    {
        Assert.Equal(
            [(2L, ChainRules.VersionDuplicate)],
            Run([PublishA(), RotateA(2), Raw(LeafEvent.Rotate, T0, A, 2, KA(9), KA(1)), RotateA(3)]));
    }

    [Fact]
    public void Consume_VersionLowerThanLast_Duplicate()
    {
        Assert.Equal(
            [(3L, ChainRules.VersionDuplicate)],
            Run([PublishA(), RotateA(2), RotateA(3), RotateA(2)]));
    }

    [Fact]
    public void Consume_RotateAfterRevoke_AfterRevoke()
    {
        Assert.Equal(
            [(2L, ChainRules.AfterRevoke)],
            Run([PublishA(), Raw(LeafEvent.Revoke, T0, A, 2, KA(2), KA(1)), RotateA(3)]));
    }

    [Fact]
    public void Consume_RotationsAfterRevoke_ReportedOnceNotAtEveryLaterLeaf()
    {
        // Regression: the revoked flag used to survive a rotation, so every later leaf repeated the finding.
        Assert.Equal(
            [(2L, ChainRules.AfterRevoke)],
            Run([PublishA(), Raw(LeafEvent.Revoke, T0, A, 2, KA(2), KA(1)), RotateA(3), RotateA(4), RotateA(5)]));
    }

    [Fact]
    public void Consume_RevokeAfterRevoke_AfterRevokeAndStillRevoked()
    {
        Assert.Equal(
            [(2L, ChainRules.AfterRevoke), (3L, ChainRules.AfterRevoke)],
            Run([PublishA(), Raw(LeafEvent.Revoke, T0, A, 2, KA(2), KA(1)), Raw(LeafEvent.Revoke, T0, A, 3, KA(3), KA(2)), RotateA(4)]));
    }

    [Fact]
    public void Consume_ResetAfterRevoke_AllowedAndClearsRevocation()
    {
        Assert.Empty(Run([PublishA(), Raw(LeafEvent.Revoke, T0, A, 2, KA(2), KA(1)), Raw(LeafEvent.Reset, T0, A, 3, KA(3), null), RotateA(4)]));
    }

    [Theory]
    [InlineData(LeafEvent.Rotate)]
    [InlineData(LeafEvent.Revoke)]
    public void Consume_CustodyAbsent_CustodyMissing(LeafEvent @event)
    {
        Assert.Equal(
            [(1L, ChainRules.CustodyMissing)],
            Run([PublishA(), Raw(@event, T0, A, 2, KA(2), null)]));
    }

    [Fact]
    public void Consume_ResetWithCustody_CustodyUnexpected()
    {
        Assert.Equal(
            [(1L, ChainRules.CustodyUnexpected)],
            Run([PublishA(), Raw(LeafEvent.Reset, T0, A, 2, KA(2), KA(1))]));
    }

    [Fact]
    public void Consume_PublishWithCustody_CustodyUnexpected()
    {
        Assert.Equal([(0L, ChainRules.CustodyUnexpected)], Run([Raw(LeafEvent.Publish, T0, A, 1, KA(1), KA(1))]));
    }

    [Fact]
    public void Consume_CustodyByWrongKey_CustodyInvalidOnceAndChainContinues()
    {
        Assert.Equal(
            [(1L, ChainRules.CustodyInvalid)],
            Run([PublishA(), Raw(LeafEvent.Rotate, T0, A, 2, KA(2), KB(1)), RotateA(3)]));
    }

    [Fact]
    public void Consume_CustodyOverOtherLabel_CustodyInvalid()
    {
        // A signature made for label B must not carry over to label A.
        var forB = Raw(LeafEvent.Rotate, T0, B, 2, KA(2), KA(1));
        var replayed = Raw(LeafEvent.Rotate, T0, A, 2, KA(2), KA(1));
        forB.AsSpan(111).CopyTo(replayed.AsSpan(111));

        Assert.Equal([(1L, ChainRules.CustodyInvalid)], Run([PublishA(), replayed]));
    }

    [Fact]
    public void Consume_SeveralRulesOnOneLeaf_AllReportedInSpecOrder()
    {
        var validator = new LeafChainValidator();
        validator.Consume(0, PublishA(T0 + 5));
        validator.Consume(1, Raw(LeafEvent.Revoke, T0 + 5, A, 2, KA(2), KA(1)));

        var findings = validator.Consume(7, Raw(LeafEvent.Rotate, T0, A, 4, KA(4), KB(1)));

        Assert.Equal(
            [ChainRules.IndexOutOfOrder, ChainRules.TimestampRegression, ChainRules.VersionGap, ChainRules.AfterRevoke, ChainRules.CustodyInvalid],
            findings.Select(f => f.Rule));
        Assert.All(findings, f => Assert.Equal(7, f.Index));
        Assert.Equal(5, validator.Statistics.Findings);
    }

    [Fact]
    public void Consume_Finding_CarriesLabelEvidenceAndOneLineExplanation()
    {
        var bad = Raw(LeafEvent.Rotate, T0, A, 2, KA(2), KB(1));
        var validator = new LeafChainValidator();
        validator.Consume(0, PublishA());

        var finding = Assert.Single(validator.Consume(1, bad));

        Assert.Equal(A, finding.Label.ToArray());
        Assert.Equal(bad, finding.Leaf.ToArray());
        Assert.DoesNotContain('\n', finding.Explanation);
        Assert.StartsWith("leaf 1: chain.custody-invalid: ", finding.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Consume_Finding_EvidenceIsACopy()
    {
        var bad = RotateA(2);
        var finding = Assert.Single(new LeafChainValidator().Consume(0, bad), f => f.Rule == ChainRules.FirstNotPublish);

        bad[0] = 0xff;

        Assert.Equal(0x01, finding.Leaf.Span[0]);
    }

    [Fact]
    public void Consume_DecodedLeaf_SameAsBytes()
    {
        var validator = new LeafChainValidator();
        validator.Consume(0, LogLeaf.Decode(PublishA()));

        var finding = Assert.Single(validator.Consume(1, LogLeaf.Decode(Raw(LeafEvent.Rotate, T0, A, 2, KA(2), KB(1)))));

        Assert.Equal(ChainRules.CustodyInvalid, finding.Rule);
        Assert.Equal(175, finding.Leaf.Length);
    }

    [Fact]
    public void Consume_Misuse_Throws()
    {
        var validator = new LeafChainValidator();

        Assert.Throws<ArgumentOutOfRangeException>(() => validator.Consume(-1, PublishA()));
        Assert.Throws<ArgumentOutOfRangeException>(() => validator.Consume(long.MaxValue, PublishA()));
        Assert.Throws<ArgumentNullException>(() => validator.Consume(0, (LogLeaf)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeafChainValidator(-1));
    }

    [Fact]
    public void Consume_RandomBytes_NeverThrows()
    {
        Gen.Byte.Array[0, 180].Array[1, 40].Sample(leaves =>
        {
            var validator = new LeafChainValidator();
            foreach (var bytes in leaves.Where(b => b.Length > 2))
            {
                bytes[0] = 0x01;
                bytes[1] = (byte)((bytes[1] & 3) + 1);
            }

            var findings = Run(validator, leaves);
            Assert.Equal(leaves.Length, validator.Statistics.Leaves);
            Assert.Equal(findings.Count, validator.Statistics.Findings);
        });
    }

    // ---- property tests over generated chains ----

    [Fact]
    public void Consume_RandomValidChains_NoFindings()
    {
        TestChains.Valid.Sample(chain =>
        {
            var validator = new LeafChainValidator();
            Assert.Empty(Run(validator, chain.Select(e => e.Bytes)));
            var s = validator.Statistics;
            Assert.Equal(chain.Count, s.Leaves);
            Assert.Equal(chain.Select(e => e.LabelId).Distinct().Count(), s.Labels);
            Assert.Equal(chain.Count(e => e.Event == LeafEvent.Reset), s.Resets);
            Assert.Equal(chain.Count, s.Publishes + s.Rotations + s.Resets + s.Revocations);
        }, iter: 60);
    }

    [Fact]
    public void Consume_OneLeafDropped_ExpectedFindingsAtNextLeafOfLabel()
    {
        Gen.Select(TestChains.Valid, Gen.Int[0, int.MaxValue]).Sample((chain, r) =>
        {
            var p = r % chain.Count;
            var dropped = chain[p];
            var q = TestChains.NextOfLabel(chain, p);
            var expected = new List<(long, string)>();
            if (q >= 0)
            {
                var next = chain[q];
                long at = q - 1;
                if (dropped.Version == 1)
                {
                    expected.Add((at, ChainRules.FirstNotPublish));
                    expected.Add((at, ChainRules.VersionGap));
                }
                else
                {
                    expected.Add((at, ChainRules.VersionGap));
                    var before = chain[TestChains.PreviousOfLabel(chain, p)];
                    if (before.Event == LeafEvent.Revoke && next.Event != LeafEvent.Reset)
                    {
                        expected.Add((at, ChainRules.AfterRevoke));
                    }

                    if (next.HasCustody)
                    {
                        expected.Add((at, ChainRules.CustodyInvalid));
                    }
                }
            }

            var mutated = chain.Where((_, i) => i != p).Select(e => e.Bytes);
            Assert.Equal(expected, Run(mutated));
        }, iter: 60);
    }

    [Fact]
    public void Consume_OneLeafDuplicated_DuplicateFindingAtCopyOnly()
    {
        Gen.Select(TestChains.Valid, Gen.Int[0, int.MaxValue]).Sample((chain, r) =>
        {
            var p = r % chain.Count;
            var copy = chain[p];
            var expected = new List<(long, string)>();
            if (copy.Event == LeafEvent.Publish)
            {
                expected.Add((p + 1, ChainRules.PublishAfterFirst));
            }

            expected.Add((p + 1, ChainRules.VersionDuplicate));
            if (copy.Event == LeafEvent.Revoke)
            {
                expected.Add((p + 1, ChainRules.AfterRevoke));
            }

            var mutated = chain.Select(e => e.Bytes).ToList();
            mutated.Insert(p + 1, copy.Bytes);
            Assert.Equal(expected, Run(mutated));
        }, iter: 60);
    }

    [Fact]
    public void Consume_SigningKeySwapped_CustodyInvalidAtLeafAndAtNextRotation()
    {
        Gen.Select(TestChains.Valid, Gen.Int[0, int.MaxValue]).Sample((chain, r) =>
        {
            var p = r % chain.Count;
            var target = chain[p];
            var swapped = (byte[])target.Bytes.Clone();
            PublicOf(Key($"intruder {r}")).CopyTo(swapped, 46);
            var expected = new List<(long, string)>();
            if (target.HasCustody)
            {
                expected.Add((p, ChainRules.CustodyInvalid));
            }

            var q = TestChains.NextOfLabel(chain, p);
            if (q >= 0 && chain[q].HasCustody)
            {
                expected.Add((q, ChainRules.CustodyInvalid));
            }

            var mutated = chain.Select(e => e.Bytes).ToList();
            mutated[p] = swapped;
            Assert.Equal(expected, Run(mutated));
        }, iter: 60);
    }

    [Fact]
    public void Consume_CustodySignatureCorrupted_CustodyInvalidAtThatLeafOnly()
    {
        Gen.Select(TestChains.Valid, Gen.Int[0, int.MaxValue]).Sample((chain, r) =>
        {
            var withCustody = Enumerable.Range(0, chain.Count).Where(i => chain[i].HasCustody).ToList();
            if (withCustody.Count == 0)
            {
                return;
            }

            var p = withCustody[r % withCustody.Count];
            var corrupted = (byte[])chain[p].Bytes.Clone();
            corrupted[111 + (r % 64)] ^= (byte)(1 << (r % 8));

            var mutated = chain.Select(e => e.Bytes).ToList();
            mutated[p] = corrupted;
            Assert.Equal([((long)p, ChainRules.CustodyInvalid)], Run(mutated));
        }, iter: 60);
    }

    // ---- configuration entries (spec/configuration.md §5) ----

    private static byte[] Config(uint number, ulong t = T0) => TestConfigurations.Bytes(number, t);

    [Fact]
    public void Consume_LeafUnderTheReservedConfigurationLabel_MalformedAndNoConfigurationCounted()
    {
        var validator = new LeafChainValidator();
        var hostile = TestLeaves.Raw((byte)LeafEvent.Publish, TestLeaves.T0, ConfigurationEntry.MapLabel.ToArray(), 1, new byte[32], new byte[32], null);

        var findings = validator.Consume(0, hostile);
        var then = validator.Consume(1, TestConfigurations.Bytes(1));

        var finding = Assert.Single(findings);
        Assert.Equal(ChainRules.MalformedLeaf, finding.Rule);
        Assert.StartsWith("leaf.reserved-label", finding.Explanation, StringComparison.Ordinal);
        Assert.Empty(then);
        Assert.Equal((1L, 1L, 0L), (validator.Statistics.MalformedLeaves, validator.Statistics.Configurations, validator.Statistics.Labels));
    }

    [Fact]
    public void Consume_Configurations123BetweenLeaves_NoFindingsAndCounted()
    {
        var validator = new LeafChainValidator();
        var findings = Run(validator,
        [
            Config(1),
            PublishA(),
            Config(2, T0 + 1),
            Raw(LeafEvent.Publish, T0 + 1, B, 1, KB(1), null),
            RotateA(2, T0 + 2),
            Config(3, T0 + 2),
        ]);

        Assert.Empty(findings);

        // Six entries, two labels (the reserved configuration label is none), three configurations.
        Assert.Equal(new ChainStatistics(6, 2, 2, 1, 0, 0, 0, 0, 3), validator.Statistics);
    }

    [Theory]
    [InlineData(new uint[] { 2, 3 }, 0, 3)]
    [InlineData(new uint[] { 1, 3, 4 }, 1, 4)]
    [InlineData(new uint[] { 1, 2, 2, 3 }, 2, 3)]
    [InlineData(new uint[] { 1, 2, 1, 3 }, 2, 3)]
    public void Consume_ConfigurationNumberNotPreviousPlusOne_ConfigNumberAtThatEntryOnly(uint[] numbers, long at, long latest)
    {
        var validator = new LeafChainValidator();

        var findings = Run(validator, numbers.Select(n => Config(n)));

        Assert.Equal([(at, ChainRules.ConfigurationNumber)], findings);
        Assert.Equal(latest, validator.Statistics.Configurations);
    }

    public static TheoryData<string, byte[]> MalformedConfigurations()
    {
        var data = new TheoryData<string, byte[]>();
        foreach (var row in ConfigurationEntryTests.Malformed())
        {
            var (code, entry) = ((string)row[0], (byte[])row[1]);
            if (ConfigurationEntry.IsConfiguration(entry))
            {
                data.Add(code, entry);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedConfigurations))]
    public void Consume_MalformedConfiguration_MalformedLeafWithConfigCodeAndNoStateChange(string code, byte[] entry)
    {
        var validator = new LeafChainValidator();
        validator.Consume(0, Config(1, T0 + 5));

        var finding = Assert.Single(validator.Consume(1, entry));

        Assert.Equal(ChainRules.MalformedLeaf, finding.Rule);
        Assert.StartsWith(code + ":", finding.Explanation, StringComparison.Ordinal);
        Assert.Equal(entry, finding.Leaf.ToArray());

        // Neither the number nor the time moved: configuration 2 at the previous time is clean.
        Assert.Empty(validator.Consume(2, Config(2, T0 + 5)));
        Assert.Equal((1L, 2L), (validator.Statistics.MalformedLeaves, validator.Statistics.Configurations));
    }

    [Fact]
    public void Consume_ConfigurationTimestamps_OrderedWithTheLeaves()
    {
        Assert.Equal(
            [(1L, ChainRules.TimestampRegression), (2L, ChainRules.TimestampRegression)],
            Run([PublishA(T0 + 10), Config(1, T0 + 9), RotateA(2, T0 + 8)]));
    }

    [Fact]
    public void ExportImport_WithConfigurations_KeepsTheConfigurationCountAndItsRule()
    {
        var validator = new LeafChainValidator();
        Run(validator, [Config(1), PublishA(), Config(2)]);
        using var stream = new MemoryStream();
        validator.ExportState(stream);

        var resumed = LeafChainValidator.ImportState(validator.ExportState());
        var streamed = LeafChainValidator.ImportState(new MemoryStream(stream.ToArray()));

        Assert.Equal(validator.Statistics, resumed.Statistics);
        Assert.Equal(validator.Statistics, streamed.Statistics);
        Assert.Equal((2L, 1L), (resumed.Statistics.Configurations, resumed.Statistics.Labels));
        Assert.Empty(resumed.Consume(3, Config(3)));
        Assert.Equal([(3L, ChainRules.ConfigurationNumber)], Run(streamed, [Config(2)], firstIndex: 3));
    }

    // ---- state export and import ----

    [Fact]
    public void ExportImport_SplitAnywhere_SameFindingsAndStatisticsAsOneRun()
    {
        Gen.Select(TestChains.Valid, Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]).Sample((chain, r, s) =>
        {
            // Damage the chain so that the run has findings that depend on carried state.
            var leaves = chain.Select(e => e.Bytes).ToList();
            leaves.Insert(r % leaves.Count, leaves[r % leaves.Count]);
            leaves.RemoveAt(s % leaves.Count);
            leaves.Add(leaves[0]);

            var whole = new LeafChainValidator();
            var expected = Run(whole, leaves);

            var split = s % (leaves.Count + 1);
            var first = new LeafChainValidator();
            var actual = Run(first, leaves.Take(split));
            var resumed = LeafChainValidator.ImportState(first.ExportState());
            actual.AddRange(Run(resumed, leaves.Skip(split), firstIndex: split));

            Assert.Equal(expected, actual);
            Assert.Equal(whole.Statistics, resumed.Statistics);
            Assert.Equal(whole.ExportState(), resumed.ExportState());
        }, iter: 40);
    }

    [Fact]
    public void ExportState_Fresh_IsHeaderOnlyAndRoundTrips()
    {
        var state = new LeafChainValidator(7).ExportState();
        var imported = LeafChainValidator.ImportState(state);

        Assert.Equal(105, state.Length);
        Assert.Equal(7, imported.NextIndex);
        Assert.Equal(default, imported.Statistics);
        Assert.Equal(state, imported.ExportState());
    }

    [Fact]
    public void ExportState_SameStateDifferentInsertionOrder_SameBytes()
    {
        var one = new LeafChainValidator();
        Run(one, [PublishA(), Raw(LeafEvent.Publish, T0, B, 1, KB(1), null)]);
        var other = new LeafChainValidator();
        Run(other, [Raw(LeafEvent.Publish, T0, B, 1, KB(1), null), PublishA()]);

        Assert.Equal(one.ExportState(), other.ExportState());
    }

    [Fact]
    public void ExportState_TwoLabels_LayoutPerSpec()
    {
        var validator = new LeafChainValidator();
        Run(validator, [PublishA(T0), Raw(LeafEvent.Publish, T0 + 1, B, 1, KB(1), null), Raw(LeafEvent.Revoke, T0 + 2, A, 2, KA(2), KA(1))]);

        var state = validator.ExportState();

        Assert.Equal(105 + (2 * 69), state.Length);
        Assert.Equal("dmd/leaf-chain-state/v1\n"u8.ToArray(), state[..24]);
        Assert.Equal(3ul, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(state.AsSpan(24)));
        Assert.Equal(1, state[32]);
        Assert.Equal(T0 + 2, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(state.AsSpan(33)));
        Assert.Equal(2ul, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(state.AsSpan(97)));
        var (first, second) = A.AsSpan().SequenceCompareTo(B) < 0 ? (A, B) : (B, A);
        Assert.Equal(first, state[105..137]);
        Assert.Equal(second, state[174..206]);
        var entryA = first == A ? state.AsSpan(105, 69) : state.AsSpan(174, 69);
        Assert.Equal(2u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(entryA[32..]));
        Assert.Equal(PublicOf(KA(2)), entryA[36..68].ToArray());
        Assert.Equal(1, entryA[68]);
    }

    public static TheoryData<string, byte[]> BadStates()
    {
        var validator = new LeafChainValidator();
        Run(validator, [PublishA(), Raw(LeafEvent.Publish, T0, B, 1, KB(1), null)]);
        var good = validator.ExportState();
        byte[] With(int offset, byte value)
        {
            var c = (byte[])good.Clone();
            c[offset] = value;
            return c;
        }

        var swapped = (byte[])good.Clone();
        good.AsSpan(105, 69).CopyTo(swapped.AsSpan(174));
        good.AsSpan(174, 69).CopyTo(swapped.AsSpan(105));
        var repeated = (byte[])good.Clone();
        good.AsSpan(105, 69).CopyTo(repeated.AsSpan(174));

        return new TheoryData<string, byte[]>
        {
            { StateErrors.Magic, [] },
            { StateErrors.Magic, With(3, (byte)'X') },
            { StateErrors.Length, good[..30] },
            { StateErrors.Length, good[..104] },
            { StateErrors.Length, good[..^1] },
            { StateErrors.Length, [.. good, 0] },
            { StateErrors.Length, With(104, 3) },
            { StateErrors.Length, With(98, 0x01) },
            { StateErrors.Counter, With(97, 0x80) },
            { StateErrors.Flag, With(32, 2) },
            { StateErrors.Flag, With(105 + 68, 2) },
            { StateErrors.Counter, With(24, 0x80) },
            { StateErrors.Counter, With(41, 0xff) },
            { StateErrors.LabelOrder, swapped },
            { StateErrors.LabelOrder, repeated },
            { StateErrors.Version, With(105 + 35, 0) },
        };
    }

    [Theory]
    [MemberData(nameof(BadStates))]
    public void ImportState_Malformed_ThrowsWithCode(string code, byte[] state)
    {
        var ex = Assert.Throws<InvalidFormatException>(() => LeafChainValidator.ImportState(state));

        Assert.Equal(code, ex.Code);
    }

    [Theory]
    [MemberData(nameof(BadStates))]
    public void ImportStateStream_Malformed_ThrowsWithSameCode(string code, byte[] state)
    {
        using var stream = new MemoryStream(state);

        var ex = Assert.Throws<InvalidFormatException>(() => LeafChainValidator.ImportState(stream));

        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public void ExportStateStream_ManyLabels_SameBytesAsArrayAndImportsBack()
    {
        // More labels than one stream batch (4096), so batching is exercised.
        var validator = new LeafChainValidator();
        var key = PublicOf(KA(1));
        var body = new byte[32];
        for (var i = 0; i < 5000; i++)
        {
            var label = new byte[32];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(label, i * 7919);
            Assert.Empty(validator.Consume(i, Raw(1, T0, label, 1, key, body, null)));
        }

        using var stream = new MemoryStream();
        validator.ExportState(stream);
        var bytes = validator.ExportState();
        Assert.Equal(bytes, stream.ToArray());

        stream.Position = 0;
        var imported = LeafChainValidator.ImportState(stream);
        Assert.Equal(bytes, imported.ExportState());
        Assert.Equal(5000, imported.Statistics.Labels);
    }

    [Fact]
    public void ImportStateStream_HugeDeclaredCountShortBody_Length()
    {
        var state = new LeafChainValidator().ExportState();
        state[100] = 0x7f;
        using var stream = new MemoryStream([.. state, .. new byte[69]]);

        Assert.Equal(StateErrors.Length, Assert.Throws<InvalidFormatException>(() => LeafChainValidator.ImportState(stream)).Code);
    }

    [Fact]
    public void StateMethods_NullStream_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new LeafChainValidator().ExportState(null!));
        Assert.Throws<ArgumentNullException>(() => LeafChainValidator.ImportState((Stream)null!));
    }

    [Fact]
    public void ImportState_TimestampWithoutFlag_Flag()
    {
        var state = new LeafChainValidator().ExportState();
        state[40] = 1;

        Assert.Equal(StateErrors.Flag, Assert.Throws<InvalidFormatException>(() => LeafChainValidator.ImportState(state)).Code);
    }

    [Fact]
    public void PreverifyCustody_BadSignatureInParallelBatch_ReportedAtItsLeafWithItsCode()
    {
        // Labels A and B rotate in turn; A's version 23 is signed by B's key. Verified ahead on
        // all cores, the batch must give exactly the findings of consuming it alone.
        var batch = new List<byte[]> { PublishA(), Raw(LeafEvent.Publish, T0, B, 1, KB(1), null) };
        for (uint v = 2; v <= 40; v++)
        {
            batch.Add(v == 23 ? Raw(LeafEvent.Rotate, T0, A, v, KA((int)v), KB(1)) : RotateA(v));
            batch.Add(Raw(LeafEvent.Rotate, T0, B, v, KB((int)v), KB((int)v - 1)));
        }

        var bad = batch.FindIndex(l => l.AsSpan().SequenceEqual(Raw(LeafEvent.Rotate, T0, A, 23, KA(23), KB(1))));
        var validator = new LeafChainValidator();

        Assert.Equal(78, validator.PreverifyCustody(0, batch));
        var found = Run(validator, batch);

        Assert.Equal([((long)bad, ChainRules.CustodyInvalid)], found);
        Assert.Equal(Run(batch), found);
        Assert.Equal(78, validator.CustodyChecks);
    }

    [Fact]
    public void PreverifyCustody_OtherBytesConsumedAtTheIndex_VerifiedInline()
    {
        // A verdict is for the bytes verified ahead: a leaf swapped after the pre-pass still fails.
        var validator = new LeafChainValidator();
        validator.Consume(0, PublishA());
        validator.PreverifyCustody(1, [RotateA(2)]);

        var finding = Assert.Single(validator.Consume(1, Raw(LeafEvent.Rotate, T0, A, 2, KA(2), KB(1))));

        Assert.Equal((1L, ChainRules.CustodyInvalid), (finding.Index, finding.Rule));
    }

    [Fact]
    public void PreverifyCustody_SplitBatches_FollowHeadsAcrossThem()
    {
        // The second batch's rotations are verified under keys the first batch's leaves set.
        var leaves = new List<byte[]> { PublishA() };
        for (uint v = 2; v <= 10; v++)
        {
            leaves.Add(RotateA(v));
        }

        var validator = new LeafChainValidator();
        for (var start = 0; start < leaves.Count; start += 4)
        {
            var part = leaves.Skip(start).Take(4).ToList();
            validator.PreverifyCustody(start, part);
            Assert.Empty(Run(validator, part, start));
        }

        Assert.Equal(9, validator.CustodyChecks);
    }
}
