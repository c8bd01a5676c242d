using System.Security.Cryptography;
using System.Text;
using CsCheck;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Core.Dns;
using DnsClient;

namespace DarkMail.Directory.Client.Tests.Discovery;

public sealed class DxAnswerTests
{
    private static readonly DxRecord RecordA = Record("a", 1);
    private static readonly DxRecord RecordB = Record("b", 2);

    public static TheoryData<DnsHeaderResponseCode, bool, DnssecPolicy, DxFailure> Gates()
    {
        var data = new TheoryData<DnsHeaderResponseCode, bool, DnssecPolicy, DxFailure>();
        foreach (var policy in Enum.GetValues<DnssecPolicy>())
        {
            foreach (var ad in new[] { false, true })
            {
                // SERVFAIL is bogus under every policy: the validating resolver withholds the data.
                data.Add(DnsHeaderResponseCode.ServerFailure, ad, policy, DxFailure.DnssecBogus);
                data.Add(DnsHeaderResponseCode.Refused, ad, policy, DxFailure.ResolverUnavailable);
                data.Add(DnsHeaderResponseCode.NotExistentDomain, ad, policy, DxFailure.NoRecord);
                data.Add(DnsHeaderResponseCode.FormatError, ad, policy, DxFailure.ResolverError);
                data.Add(DnsHeaderResponseCode.NotImplemented, ad, policy, DxFailure.ResolverError);
                data.Add(DnsHeaderResponseCode.NoError, ad, policy, policy == DnssecPolicy.Require && !ad ? DxFailure.DnssecAbsent : DxFailure.None);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Gates))]
    public void Evaluate_ResponseCodeAdAndPolicy_Outcome(DnsHeaderResponseCode code, bool authenticated, DnssecPolicy policy, DxFailure expected)
    {
        var outcome = DxAnswer.Evaluate(code, authenticated, policy, [[RecordA.Format()]]);

        Assert.Equal(expected, outcome.Failure);
        Assert.Equal(expected == DxFailure.None, outcome.Record is not null);
    }

    [Theory]
    [InlineData(DnssecPolicy.Require, false)]
    [InlineData(DnssecPolicy.Require, true)]
    [InlineData(DnssecPolicy.Off, false)]
    public void Evaluate_NoErrorWithoutTxt_NoRecordBeforePolicy(DnssecPolicy policy, bool authenticated)
    {
        var outcome = DxAnswer.Evaluate(DnsHeaderResponseCode.NoError, authenticated, policy, []);

        Assert.Equal(DxFailure.NoRecord, outcome.Failure);
        Assert.Contains("NODATA", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnauthenticatedMalformedUnderRequire_DnssecAbsentBeforeParsing()
    {
        var outcome = DxAnswer.Evaluate(DnsHeaderResponseCode.NoError, false, DnssecPolicy.Require, [["ver=1 pok=bad"]]);

        Assert.Equal(DxFailure.DnssecAbsent, outcome.Failure);
        Assert.Null(outcome.RecordErrorCode);
    }

    [Fact]
    public void Select_MultiStringRecord_JoinedWithoutSeparator()
    {
        var text = RecordA.Format();

        var outcome = DxAnswer.Select([[text[..5], text[5..30], text[30..]]]);

        Assert.Equal(DxFailure.None, outcome.Failure);
        Assert.Equal(text, outcome.Text);
        Assert.Equal(text, outcome.Record!.Format());
    }

    [Fact]
    public void Select_OneRecordAmongOtherTxt_Found()
    {
        Gen.Select(Junk.List[0, 5], Gen.Int[0, 5]).Sample((junk, at) =>
        {
            var records = junk.Select(j => (IReadOnlyList<string>)[j]).ToList();
            records.Insert(Math.Min(at, records.Count), [RecordA.Format()]);

            var outcome = DxAnswer.Select(records);

            return outcome.Failure == DxFailure.None && outcome.Record!.Format() == RecordA.Format();
        });
    }

    [Fact]
    public void Select_OnlyOtherTxt_NoRecord()
    {
        Junk.List[1, 5].Sample(junk =>
            DxAnswer.Select(junk.Select(j => (IReadOnlyList<string>)[j]).ToList()).Failure == DxFailure.NoRecord);
    }

    [Fact]
    public void Select_TwoParseableRecords_AmbiguousInEitherOrder()
    {
        Assert.Equal(DxFailure.AmbiguousRecord, DxAnswer.Select([[RecordA.Format()], [RecordB.Format()]]).Failure);
        Assert.Equal(DxFailure.AmbiguousRecord, DxAnswer.Select([[RecordB.Format()], ["v=spf1 -all"], [RecordA.Format()]]).Failure);
        Assert.Equal(DxFailure.AmbiguousRecord, DxAnswer.Select([[RecordA.Format()], [RecordA.Format().Replace("ver=1", "VER=1", StringComparison.Ordinal)]]).Failure);
    }

    [Theory]
    [InlineData("ver=1", "dx.missing-pok")]
    [InlineData("ver=1 pok=abc dir=https://a.test/", "dx.bad-pok")]
    [InlineData("ver=1 ver=1", "dx.duplicate-version")]
    [InlineData("VER=1 junk", "dx.bad-pair")]
    [InlineData("ver=2 ver=1 pok=x", "dx.duplicate-version")]
    public void Select_RecordWithVersionThatDoesNotParse_BadRecordWithCode(string text, string code)
    {
        var outcome = DxAnswer.Select([[text]]);

        Assert.Equal(DxFailure.BadRecord, outcome.Failure);
        Assert.Equal(code, outcome.RecordErrorCode);
        Assert.Equal(text, outcome.Text);
        Assert.Contains(code, outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_BadRecordBesideGoodOne_BadRecord()
    {
        var outcome = DxAnswer.Select([[RecordA.Format()], ["ver=1 pok=abc"]]);

        Assert.Equal(DxFailure.BadRecord, outcome.Failure);
        Assert.Equal("dx.bad-pok", outcome.RecordErrorCode);
        Assert.Null(outcome.Record);
    }

    [Fact]
    public void Select_TwoBadRecords_SameCodeWhateverTheOrder()
    {
        IReadOnlyList<string> first = ["ver=1 pok=abc"];
        IReadOnlyList<string> second = ["ver=1"];

        var one = DxAnswer.Select([first, second]);
        var other = DxAnswer.Select([second, first]);

        Assert.Equal(one.RecordErrorCode, other.RecordErrorCode);
        Assert.Equal(one.Text, other.Text);
    }

    [Fact]
    public void Select_FutureVersionBesideVersion1_Version1Found()
    {
        var outcome = DxAnswer.Select([["ver=2 key=whatever"], [RecordA.Format()]]);

        Assert.Equal(DxFailure.None, outcome.Failure);
        Assert.Equal(RecordA.Format(), outcome.Text);
    }

    [Fact]
    public void Select_OnlyFutureVersions_BadRecordUnsupportedVersion()
    {
        // Not read past the version: "b" is not a pair, which a later version may allow.
        var outcome = DxAnswer.Select([["ver=3 b"], ["ver=2 a"]]);

        Assert.Equal(DxFailure.BadRecord, outcome.Failure);
        Assert.Equal("dx.unsupported-version", outcome.RecordErrorCode);
        Assert.Equal("ver=2 a", outcome.Text);
    }

    [Theory]
    [InlineData("ver=2 a", 1, "2")]
    [InlineData("x=1;Ver=3;ver=1", 2, "3")]
    [InlineData("ver= ver=1", 2, "")]
    [InlineData("vers=1", 0, "")]
    public void VersionPairs_Text_CountAndFirstValue(string text, int count, string first)
    {
        Assert.Equal(count, DxAnswer.VersionPairs(text, out var value));
        Assert.Equal(first, value.ToString());
    }

    [Theory]
    [InlineData("ver=1", true)]
    [InlineData("a=b;VeR=", true)]
    [InlineData("x  ver=2", true)]
    [InlineData("version=1", false)]
    [InlineData("ver =1", false)]
    [InlineData("xver=1", false)]
    [InlineData("ver", false)]
    [InlineData("", false)]
    [InlineData("v=spf1 -all", false)]
    public void HasVersionPair_Text_TokenNamedVer(string text, bool expected)
    {
        Assert.Equal(expected, DxAnswer.HasVersionPair(text));
    }

    [Fact]
    public void HasVersionPair_VerTokenAmongOthers_True()
    {
        var separator = Gen.OneOf(" ", ";", "  ", "; ");
        Gen.Select(Junk.List[0, 4], Gen.Int[0, 4], separator, Gen.OneOf("ver=", "VER=1", "Ver=x")).Sample((junk, at, sep, ver) =>
        {
            var tokens = junk.ToList();
            Assert.DoesNotContain(tokens, t => DxAnswer.HasVersionPair(t));
            tokens.Insert(Math.Min(at, tokens.Count), ver);
            return DxAnswer.HasVersionPair(string.Join(sep, tokens));
        });
    }

    // Printable tokens that are not a ver= pair (no separators inside).
    private static readonly Gen<string> Junk = Gen.String[Gen.Char['!', '~'], 1, 12]
        .Where(s => !s.Contains(';', StringComparison.Ordinal) && !s.StartsWith("ver=", StringComparison.OrdinalIgnoreCase));

    private static DxRecord Record(string name, int seed) =>
        new([SHA256.HashData(Encoding.ASCII.GetBytes($"{name}/{seed}"))], new Uri($"https://{name}.test/"));
}
