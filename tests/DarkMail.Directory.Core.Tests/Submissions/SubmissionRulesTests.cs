using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Core.Tests.Leaves;
using NSec.Cryptography;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Submissions;

// The rules one at a time; spec/vectors/submissions.json (SubmissionVectorsTests) runs them
// together, in order, over every code and event.
public sealed class SubmissionRulesTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds((long)Created + 10);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    private readonly Key user = Ed("rules user");
    private readonly Key next = Ed("rules next");
    private readonly Key pok = Ed("rules pok");

    public void Dispose()
    {
        user.Dispose();
        next.Dispose();
        pok.Dispose();
    }

    [Fact]
    public void TryDecode_UserSignedSubmission_ReturnsTheSignet()
    {
        var submission = Builder(user).Build().SignUser(user);

        Assert.True(SubmissionRules.TryDecode(submission.Encoded, out var signet, out var refusal));
        Assert.Null(refusal);
        Assert.Equal(submission.Encoded.ToArray(), signet.Encoded.ToArray());
    }

    [Fact]
    public void TryDecode_OrgSignedSignet_MalformedWithSignetCode()
    {
        Assert.False(SubmissionRules.TryDecode(First(user, pok).Encoded, out var signet, out var refusal));
        Assert.Null(signet);
        Assert.Equal(SubmissionCodes.MalformedSignet, refusal.Code);
        Assert.Equal(SignetErrors.SignatureUnexpected, refusal.SignetCode);
    }

    [Fact]
    public void CheckDomain_SameDomain_Passed()
    {
        Assert.Same(SubmissionDecision.Passed, SubmissionRules.CheckDomain(Submission(), "example.org"));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("EXAMPLE.ORG")]
    [InlineData("org")]
    public void CheckDomain_OtherDomain_WrongDomain(string domain)
    {
        Assert.Equal(SubmissionCodes.WrongDomain, SubmissionRules.CheckDomain(Submission(), domain).Code);
    }

    [Fact]
    public void CheckSignatureAndTimes_SignedAndCurrent_Passed()
    {
        Assert.Same(SubmissionDecision.Passed, SubmissionRules.CheckSignatureAndTimes(Submission(), Now, Skew));
    }

    [Fact]
    public void CheckSignatureAndTimes_SignedByAnotherKey_UserSignature()
    {
        var body = Builder(user).Build();
        var forged = body.AddUserSignature(SignatureAlgorithm.Ed25519.Sign(next, body.GetUserMessage()));

        Assert.Equal(SubmissionCodes.UserSignature, SubmissionRules.CheckSignatureAndTimes(forged, Now, Skew).Code);
    }

    [Theory]
    [InlineData(-1, 999, null)]
    [InlineData(-10, 0, SubmissionCodes.Expired)]
    [InlineData(0, 1, null)]
    [InlineData(300, 1000, null)]
    [InlineData(301, 1000, SubmissionCodes.CreatedInFuture)]
    public void CheckSignatureAndTimes_TimesAroundNow_RefusedOnlyPastEachBound(long createdAfterNow, long expiresAfterNow, string? code)
    {
        var now = (ulong)Now.ToUnixTimeSeconds();
        var signet = Submission(b => (b.Created, b.Expires) = ((ulong)((long)now + createdAfterNow), (ulong)((long)now + expiresAfterNow)));

        Assert.Equal(code, SubmissionRules.CheckSignatureAndTimes(signet, Now, Skew).Code);
    }

    [Fact]
    public void CheckSignatureAndTimes_FractionalSkew_CountsWholeSeconds()
    {
        var skew = TimeSpan.FromSeconds(1.9);
        var now = (ulong)Now.ToUnixTimeSeconds();

        Assert.Null(SubmissionRules.CheckSignatureAndTimes(Submission(b => b.Created = now + 1), Now, skew).Code);
        Assert.Equal(SubmissionCodes.CreatedInFuture, SubmissionRules.CheckSignatureAndTimes(Submission(b => b.Created = now + 2), Now, skew).Code);
    }

    [Fact]
    public void CheckSignatureAndTimes_ExpiresAfterYear9999_ExpiresTooLate()
    {
        Assert.Null(SubmissionRules.CheckSignatureAndTimes(Submission(b => b.Expires = SubmissionRules.MaxExpires), Now, Skew).Code);
        Assert.Equal(
            SubmissionCodes.ExpiresTooLate,
            SubmissionRules.CheckSignatureAndTimes(Submission(b => b.Expires = SubmissionRules.MaxExpires + 1), Now, Skew).Code);
    }

    [Fact]
    public void CheckSignatureAndTimes_TimeBefore1970_CountsAsZero()
    {
        var signet = Submission(b => (b.Created, b.Expires) = (0, 1));

        Assert.Same(SubmissionDecision.Passed, SubmissionRules.CheckSignatureAndTimes(signet, DateTimeOffset.UnixEpoch.AddYears(-1), TimeSpan.Zero));
    }

    [Fact]
    public void CheckSignatureAndTimes_NegativeSkew_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SubmissionRules.CheckSignatureAndTimes(Submission(), Now, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void CodePurposeFor_EachKindOfSubmission_OnlyPublishAndResetNeedACode()
    {
        var v1 = First(user, pok);
        var account = AccountSnapshot.Of(v1);

        Assert.Equal(CodePurpose.Enrollment, SubmissionRules.CodePurposeFor(AccountSnapshot.None, Submission()));
        Assert.Equal(CodePurpose.None, SubmissionRules.CodePurposeFor(AccountSnapshot.None, Submission(b => b.Revoked = true)));
        Assert.Equal(CodePurpose.Reset, SubmissionRules.CodePurposeFor(account, After(v1, custody: null)));
        Assert.Equal(CodePurpose.Reset, SubmissionRules.CodePurposeFor(account, After(v1, custody: null, revoke: true)));
        Assert.Equal(CodePurpose.None, SubmissionRules.CodePurposeFor(account, After(v1, custody: user)));
        Assert.Equal(CodePurpose.None, SubmissionRules.CodePurposeFor(account, After(v1, custody: user, revoke: true)));
    }

    [Theory]
    [InlineData(PresentedCode.None, SubmissionCodes.CodeRequired)]
    [InlineData(PresentedCode.Unusable, SubmissionCodes.CodeInvalid)]
    [InlineData(PresentedCode.Usable, null)]
    public void DecideChain_FirstVersion_NeedsAUsableEnrollmentCode(PresentedCode code, string? refusal)
    {
        var decision = SubmissionRules.DecideChain(AccountSnapshot.None, Submission(), Label, code);

        Assert.Equal(refusal, decision.Code);
        Assert.Equal(refusal is null ? LeafEvent.Publish : null, decision.Event);
    }

    [Theory]
    [InlineData(PresentedCode.None, SubmissionCodes.CustodyMissing)]
    [InlineData(PresentedCode.Unusable, SubmissionCodes.CodeInvalid)]
    [InlineData(PresentedCode.Usable, null)]
    public void DecideChain_LaterVersionWithoutCustody_NeedsAUsableResetCode(PresentedCode code, string? refusal)
    {
        var v1 = First(user, pok);

        var decision = SubmissionRules.DecideChain(AccountSnapshot.Of(v1), After(v1, custody: null), Label, code);

        Assert.Equal(refusal, decision.Code);
        Assert.Equal(refusal is null ? LeafEvent.Reset : null, decision.Event);
    }

    [Theory]
    [InlineData(false, LeafEvent.Rotate)]
    [InlineData(true, LeafEvent.Revoke)]
    public void DecideChain_CustodyByCurrentKey_RotateOrRevokeWhateverTheCode(bool revoke, LeafEvent expected)
    {
        var v1 = First(user, pok);
        var signet = After(v1, custody: user, revoke: revoke);

        foreach (var code in Enum.GetValues<PresentedCode>())
        {
            Assert.Equal(expected, SubmissionRules.DecideChain(AccountSnapshot.Of(v1), signet, Label, code).Event);
        }
    }

    [Fact]
    public void DecideChain_CustodyOverAnotherLabel_CustodyInvalid()
    {
        var v1 = First(user, pok);
        var otherLabel = (byte[])Label.Clone();
        otherLabel[0] ^= 1;

        var decision = SubmissionRules.DecideChain(AccountSnapshot.Of(v1), After(v1, custody: user), otherLabel, PresentedCode.None);

        Assert.Equal(SubmissionCodes.CustodyInvalid, decision.Code);
    }

    [Fact]
    public void DecideChain_AccountKeyNotAnEd25519Key_CustodyInvalid()
    {
        var v1 = First(user, pok);
        var account = new AccountSnapshot(1, new byte[31], v1.Hash, revoked: false);

        Assert.Equal(SubmissionCodes.CustodyInvalid, SubmissionRules.DecideChain(account, After(v1, custody: user), Label, PresentedCode.None).Code);
    }

    [Fact]
    public void DecideChain_RevokedAccount_OnlyAResetFollows()
    {
        var revocation = Next(First(user, pok), user, next, pok, revoke: true);
        var account = AccountSnapshot.Of(revocation);

        Assert.Equal(SubmissionCodes.Revoked, SubmissionRules.DecideChain(account, After(revocation, custody: next), Label, PresentedCode.Usable).Code);
        Assert.Equal(LeafEvent.Reset, SubmissionRules.DecideChain(account, After(revocation, custody: null), Label, PresentedCode.Usable).Event);
    }

    [Fact]
    public void DecideChain_NoAccountForALaterVersion_VersionConflictWithoutTheLabel()
    {
        var v1 = First(user, pok);

        var decision = SubmissionRules.DecideChain(AccountSnapshot.None, After(v1, custody: user), default, PresentedCode.None);

        Assert.Equal(SubmissionCodes.VersionConflict, decision.Code);
    }

    [Fact]
    public void DecideChain_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => SubmissionRules.DecideChain(null!, Submission(), Label, PresentedCode.None));
        Assert.Throws<ArgumentNullException>(() => SubmissionRules.DecideChain(AccountSnapshot.None, null!, Label, PresentedCode.None));
    }

    [Fact]
    public void CheckLink_FirstPublishAndNextRotation_NoBreaks()
    {
        var label = TestLeaves.Label("a");
        using var k1 = TestLeaves.Key("a1");
        using var k2 = TestLeaves.Key("a2");

        Assert.Equal(ChainBreaks.None, SubmissionRules.CheckLink(ChainHead.None, Link(LeafEvent.Publish, label, 1, k1, null)));
        Assert.Equal(ChainBreaks.None, SubmissionRules.CheckLink(new ChainHead(1, PublicOf(k1), false), Link(LeafEvent.Rotate, label, 2, k2, k1)));
    }

    [Fact]
    public void CheckLink_FirstLinkIsARotationToVersion2_FirstNotPublishAndGapButNoCustodyJudgement()
    {
        var label = TestLeaves.Label("a");
        using var k2 = TestLeaves.Key("a2");
        using var stranger = TestLeaves.Key("stranger");

        var breaks = SubmissionRules.CheckLink(ChainHead.None, Link(LeafEvent.Rotate, label, 2, k2, stranger));

        Assert.Equal(ChainBreaks.FirstNotPublish | ChainBreaks.VersionGap, breaks);
    }

    [Fact]
    public void CheckLink_RepeatedVersionWithBadCustody_DuplicateOnly()
    {
        var label = TestLeaves.Label("a");
        using var k2 = TestLeaves.Key("a2");
        using var stranger = TestLeaves.Key("stranger");

        var breaks = SubmissionRules.CheckLink(new ChainHead(2, PublicOf(k2), false), Link(LeafEvent.Rotate, label, 2, k2, stranger));

        Assert.Equal(ChainBreaks.VersionDuplicate, breaks);
    }

    [Fact]
    public void CheckLink_EveryRuleBrokenAtOnce_EveryFlag()
    {
        var label = TestLeaves.Label("a");
        using var k1 = TestLeaves.Key("a1");
        using var k3 = TestLeaves.Key("a3");
        var head = new ChainHead(1, PublicOf(k1), revoked: true);

        Assert.Equal(
            ChainBreaks.PublishAfterFirst | ChainBreaks.VersionGap | ChainBreaks.AfterRevoke | ChainBreaks.CustodyUnexpected,
            SubmissionRules.CheckLink(head, Link(LeafEvent.Publish, label, 3, k3, k3)));
        Assert.Equal(
            ChainBreaks.VersionGap | ChainBreaks.AfterRevoke | ChainBreaks.CustodyInvalid,
            SubmissionRules.CheckLink(head, Link(LeafEvent.Revoke, label, 3, k3, k3)));
        Assert.Equal(
            ChainBreaks.AfterRevoke | ChainBreaks.CustodyMissing,
            SubmissionRules.CheckLink(head, Link(LeafEvent.Rotate, label, 2, k3, null)));
    }

    [Fact]
    public void CheckLink_ResetAfterRevocation_NoBreaks()
    {
        var label = TestLeaves.Label("a");
        using var k1 = TestLeaves.Key("a1");
        using var k2 = TestLeaves.Key("a2");

        Assert.Equal(ChainBreaks.None, SubmissionRules.CheckLink(new ChainHead(1, PublicOf(k1), revoked: true), Link(LeafEvent.Reset, label, 2, k2, null)));
    }

    [Fact]
    public void CheckLink_HeadAtLastVersion_NothingAdvances()
    {
        var label = TestLeaves.Label("a");
        using var k = TestLeaves.Key("a1");

        var breaks = SubmissionRules.CheckLink(new ChainHead(uint.MaxValue, PublicOf(k), false), Link(LeafEvent.Rotate, label, uint.MaxValue, k, k));

        Assert.Equal(ChainBreaks.VersionDuplicate, breaks);
    }

    [Fact]
    public void Decide_ExpiredSubmissionForAConflictingVersion_StatelessRuleFirst()
    {
        var signet = Submission(s => (s.Created, s.Expires) = (1, 2));

        var decision = SubmissionRules.Decide(signet.Encoded, "example.org", Now, Skew, AccountSnapshot.Of(First(user, pok)), Label, PresentedCode.None);

        Assert.Equal(SubmissionCodes.Expired, decision.Code);
    }

    private UnsignedSignet Submission(Action<SignetBuilder>? edit = null)
    {
        var builder = Builder(user);
        edit?.Invoke(builder);
        return builder.Build().SignUser(user);
    }

    /// <summary>The version after <paramref name="previous"/> under <see cref="next"/>'s key; custody by <paramref name="custody"/> unless null.</summary>
    private UnsignedSignet After(Signet previous, Key? custody, bool revoke = false) => NextSubmission(previous, custody, next, revoke);

    private static ChainLink Link(LeafEvent @event, byte[] label, uint version, Key key, Key? custody) =>
        ChainLink.OfLeaf(TestLeaves.Raw(@event, TestLeaves.T0, label, version, key, custody));
}
