// spec/submissions.md: the one home of the rules that decide a submission (DESIGN §4, §6).
// Pure: the caller passes the time, the account's state and whether a usable code came;
// nothing here reads a clock, a database or a key store, and a refusal is a value.
//   stateless: decode → domain → [the server's per-address rate limit] → user signature → times;
//   chain:     version = current + 1 → previous hash → revoked → custody present / verifies
//              under the current key → enrolment code (version 1) or reset code (no custody).
// The chain rules are stated over a link as a log leaf carries it (CheckLink), so the
// directory and the watchdog's LeafChainValidator apply the same functions.
using System.Diagnostics.CodeAnalysis;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;

namespace DarkMail.Directory.Core.Submissions;

public static class SubmissionRules
{
    /// <summary>The latest expiry accepted, 9999-12-31T23:59:59Z in Unix seconds: the last time an answer can state.</summary>
    public const ulong MaxExpires = 253_402_300_799;

    /// <summary>Decodes a submission (a signet without org signature, spec/signets.md §2.2).</summary>
    /// <returns>True with the signet, or false with a <see cref="SubmissionCodes.MalformedSignet"/> refusal naming the <c>signet.*</c> code.</returns>
    public static bool TryDecode(
        ReadOnlySpan<byte> encoded,
        [NotNullWhen(true)] out UnsignedSignet? signet,
        [NotNullWhen(false)] out SubmissionDecision? refusal)
    {
        if (UnsignedSignet.TryDecode(encoded, out signet, out var signetCode))
        {
            refusal = null;
            return true;
        }

        refusal = SubmissionDecision.RefuseMalformed(signetCode);
        return false;
    }

    /// <summary>The address must be in <paramref name="domain"/> (normalised, compared byte for byte).</summary>
    public static SubmissionDecision CheckDomain(UnsignedSignet signet, string domain)
    {
        ArgumentNullException.ThrowIfNull(signet);
        ArgumentNullException.ThrowIfNull(domain);
        return string.Equals(signet.Address.Domain, domain, StringComparison.Ordinal)
            ? SubmissionDecision.Passed
            : SubmissionDecision.Refuse(SubmissionCodes.WrongDomain);
    }

    /// <summary>
    /// The user signature verifies under the signet's own key; then, against
    /// <paramref name="now"/> (times before 1970 count as 0): expires is after now, created is
    /// at most <paramref name="maxClockSkew"/> (whole seconds) after now, and expires is at most
    /// <see cref="MaxExpires"/>.
    /// </summary>
    public static SubmissionDecision CheckSignatureAndTimes(UnsignedSignet signet, DateTimeOffset now, TimeSpan maxClockSkew)
    {
        ArgumentNullException.ThrowIfNull(signet);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxClockSkew, TimeSpan.Zero);
        if (!signet.VerifyUser())
        {
            return SubmissionDecision.Refuse(SubmissionCodes.UserSignature);
        }

        var seconds = now.ToUnixTimeSeconds();
        var nowSeconds = seconds < 0 ? 0UL : (ulong)seconds;
        if (signet.Expires <= nowSeconds)
        {
            return SubmissionDecision.Refuse(SubmissionCodes.Expired);
        }

        if (signet.Created > nowSeconds + (ulong)maxClockSkew.TotalSeconds)
        {
            return SubmissionDecision.Refuse(SubmissionCodes.CreatedInFuture);
        }

        return signet.Expires > MaxExpires ? SubmissionDecision.Refuse(SubmissionCodes.ExpiresTooLate) : SubmissionDecision.Passed;
    }

    /// <summary>
    /// Which one-time code would decide this submission: an enrolment code for a first
    /// publication, a reset code for a later version without custody, none otherwise. Storage
    /// looks a presented code up for this purpose only, then calls <see cref="DecideChain"/>.
    /// </summary>
    public static CodePurpose CodePurposeFor(AccountSnapshot account, UnsignedSignet signet) =>
        EventOf(account, signet) switch
        {
            LeafEvent.Publish => CodePurpose.Enrollment,
            LeafEvent.Reset => CodePurpose.Reset,
            _ => CodePurpose.None,
        };

    /// <summary>
    /// The chain rules for a submission that passed the stateless checks, against the
    /// address's <paramref name="account"/>. <paramref name="label"/> is the address's VRF label
    /// (32 bytes); it is read only to verify a custody signature, which needs an existing account.
    /// </summary>
    /// <returns>Accepted with the leaf event (publish, rotate, revoke or reset), or refused with the first rule broken.</returns>
    public static SubmissionDecision DecideChain(AccountSnapshot account, UnsignedSignet signet, ReadOnlySpan<byte> label, PresentedCode code)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(signet);
        var @event = EventOf(account, signet);
        var head = account.Head;
        var link = new ChainLink(@event, signet.Version, label, signet.SigningKey, signet.BodyHash, signet.CustodySignature);
        var breaks = CheckLinkWithoutSignature(head, link, out var custodyToVerify);

        // The event is derived from the signet, so a link cannot break first-not-publish alone
        // (a version 1 is a publish unless it is marked revoked, and then it lacks custody),
        // nor publish-after-first or custody-unexpected. The custody signature is verified
        // last, and only when every cheaper rule holds.
        if ((breaks & (ChainBreaks.VersionGap | ChainBreaks.VersionDuplicate)) != 0)
        {
            return SubmissionDecision.Refuse(SubmissionCodes.VersionConflict);
        }

        if (account.Exists && !signet.PreviousHash.SequenceEqual(account.SignetHash))
        {
            return SubmissionDecision.Refuse(SubmissionCodes.PreviousHash);
        }

        if ((breaks & ChainBreaks.AfterRevoke) != 0)
        {
            return SubmissionDecision.Refuse(SubmissionCodes.Revoked);
        }

        if ((breaks & ChainBreaks.CustodyMissing) != 0)
        {
            return SubmissionDecision.Refuse(SubmissionCodes.CustodyMissing);
        }

        if (custodyToVerify && !CustodyHolds(head, link))
        {
            return SubmissionDecision.Refuse(SubmissionCodes.CustodyInvalid);
        }

        return (@event, code) switch
        {
            (LeafEvent.Publish, PresentedCode.None) => SubmissionDecision.Refuse(SubmissionCodes.CodeRequired),
            (LeafEvent.Reset, PresentedCode.None) => SubmissionDecision.Refuse(SubmissionCodes.CustodyMissing),
            (LeafEvent.Publish or LeafEvent.Reset, PresentedCode.Unusable) => SubmissionDecision.Refuse(SubmissionCodes.CodeInvalid),
            _ => SubmissionDecision.Accept(@event),
        };
    }

    /// <summary>
    /// The head rule (spec/leaves.md §2.4, spec/map.md §6): a link whose version is above its
    /// chain head's becomes the head — even past a gap, with bad or missing custody, or after a
    /// revocation, because later links build on it; a repeated or lower version leaves the head.
    /// The watchdog's validator and the label map both advance by this one rule, so a label's
    /// map entry is always the head the validator follows.
    /// </summary>
    public static bool Advances(uint headVersion, uint linkVersion) => linkVersion > headVersion;

    /// <summary>
    /// Every rule of spec/leaves.md §2.3 that <paramref name="link"/> breaks against its chain's
    /// <paramref name="head"/>, beyond the leaf's own structure: publish exactly first, version =
    /// head + 1, only a reset after a revocation, custody present exactly on rotate and revoke,
    /// and verifying under the head's signing key (judged only when the version is above the head's).
    /// </summary>
    public static ChainBreaks CheckLink(ChainHead head, ChainLink link) => CheckLink(head, link, null);

    /// <summary>
    /// As <see cref="CheckLink(ChainHead, ChainLink)"/>, taking the custody signature's verdict
    /// under the head's signing key from <paramref name="custodyHolds"/> when the caller already
    /// verified it (the watchdog verifies a batch's signatures in parallel); null verifies here.
    /// </summary>
    public static ChainBreaks CheckLink(ChainHead head, ChainLink link, bool? custodyHolds)
    {
        var breaks = CheckLinkWithoutSignature(head, link, out var custodyToVerify);
        return custodyToVerify && !(custodyHolds ?? CustodyHolds(head, link)) ? breaks | ChainBreaks.CustodyInvalid : breaks;
    }

    /// <summary>
    /// The whole decision for submitted bytes, in spec order: decode, domain, user signature,
    /// times, then the chain rules. (The server puts its per-address rate limit after the
    /// domain and its code lookup before the chain rules.)
    /// </summary>
    public static SubmissionDecision Decide(
        ReadOnlySpan<byte> encoded,
        string domain,
        DateTimeOffset now,
        TimeSpan maxClockSkew,
        AccountSnapshot account,
        ReadOnlySpan<byte> label,
        PresentedCode code)
    {
        if (!TryDecode(encoded, out var signet, out var refusal))
        {
            return refusal;
        }

        var decision = CheckDomain(signet, domain);
        if (!decision.IsRefused)
        {
            decision = CheckSignatureAndTimes(signet, now, maxClockSkew);
        }

        return decision.IsRefused ? decision : DecideChain(account, signet, label, code);
    }

    /// <summary>
    /// Every rule of <see cref="CheckLink"/> but the signature check; <paramref name="custodyToVerify"/>
    /// is true when that check applies: a rotate or revoke with custody, a head, and a version above it.
    /// </summary>
    private static ChainBreaks CheckLinkWithoutSignature(ChainHead head, ChainLink link, out bool custodyToVerify)
    {
        var breaks = ChainBreaks.None;
        if (head.Exists == (link.Event == LeafEvent.Publish))
        {
            breaks |= head.Exists ? ChainBreaks.PublishAfterFirst : ChainBreaks.FirstNotPublish;
        }

        var advances = link.Version > head.Version;
        if (!advances)
        {
            breaks |= ChainBreaks.VersionDuplicate;
        }
        else if (link.Version != head.Version + 1)
        {
            breaks |= ChainBreaks.VersionGap;
        }

        if (head.Revoked && link.Event != LeafEvent.Reset)
        {
            breaks |= ChainBreaks.AfterRevoke;
        }

        var required = link.Event is LeafEvent.Rotate or LeafEvent.Revoke;
        if (required != link.HasCustody)
        {
            breaks |= required ? ChainBreaks.CustodyMissing : ChainBreaks.CustodyUnexpected;
        }

        custodyToVerify = required && link.HasCustody && head.Exists && advances;
        return breaks;
    }

    /// <summary>The link's custody signature verifies under the head's signing key (spec/signets.md §3.1).</summary>
    private static bool CustodyHolds(ChainHead head, ChainLink link) =>
        CustodyMessage.Verify(head.SigningKey, link.Label, link.Version, link.SigningKey, link.BodyHash, link.CustodySignature);

    /// <summary>
    /// The leaf event a submission asks for: with custody a rotation, or a revocation when it
    /// is marked revoked; without, a first publication (a revocation when marked revoked, which
    /// then lacks its custody) or a reset, which may carry the revoked flag.
    /// </summary>
    private static LeafEvent EventOf(AccountSnapshot account, UnsignedSignet signet)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(signet);
        if (signet.HasCustodySignature || !account.Exists)
        {
            return signet.IsRevoked ? LeafEvent.Revoke
                : signet.HasCustodySignature ? LeafEvent.Rotate
                : LeafEvent.Publish;
        }

        return LeafEvent.Reset;
    }
}
