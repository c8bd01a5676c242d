// spec/api.md "POST /v1/keys", spec/server.md "Submissions", spec/submissions.md: one
// submission from request to answer. The rules are Core's SubmissionRules; this service
// runs them in the order of spec/api.md around the server's own work: request shape and
// size, decode once (the one UnsignedSignet travels on), domain, a version 1 without a code
// (refused before any VRF evaluation, org signature or write gate: it can never pass), user
// signature and times; then the key store decides the chain rules in its transaction,
// computing the label of a version 1 once. The per-address budget is charged only for a
// submission the chain rules accept (custody, code or reset), so nobody but the owner (or
// the administrator) can spend it: junk self-signed for a victim's address never blocks the
// victim's rotation. Then the sequencer is woken and, with ?wait=true, the answer awaited.
// An OpenPGP certificate (spec/openpgp.md §3) is checked after the user signature and times,
// and stored by the key store with its signet.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Services;

public sealed class Submissions(
    DirectoryKeys keys,
    DirectoryLog log,
    KeyAnswers answers,
    SequencerSignal signal,
    RateLimits limits,
    IOptions<DirectoryOptions> options,
    TimeProvider time,
    CosignedCheckpoints? cosigned = null)
{
    /// <summary>
    /// Decides and stores one submission. Answers 202 (pending), or with <paramref name="wait"/>
    /// 200 with the key answer once a checkpoint covers it; every refusal is a problem of spec/api.md.
    /// </summary>
    public async Task<Results<Ok<KeyAnswer>, Accepted<SubmitAccepted>, ProblemHttpResult>> SubmitAsync(
        SubmitRequest request, bool wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        if (request.Signet is null)
        {
            return P.MalformedRequest("The member 'signet' (base64) is required.");
        }

        if (request.Code is { Length: 0 or > 256 })
        {
            return P.MalformedRequest("A code is 1 to 256 characters.");
        }

        if (request.Signet.Length > settings.MaxSignetBytes)
        {
            return P.PayloadTooLarge($"The signet exceeds {settings.MaxSignetBytes} bytes.");
        }

        if (!SubmissionRules.TryDecode(request.Signet, out var signet, out var malformed))
        {
            return Problem(malformed, settings);
        }

        var decision = SubmissionRules.CheckDomain(signet, settings.Domain);
        if (decision.IsRefused)
        {
            return Problem(decision, settings);
        }

        // Cheap refusal: a first version needs an enrollment code whatever else holds.
        if (signet.Version == 1 && request.Code is null)
        {
            return P.CodeRequired();
        }

        // Peek only: an address whose owner spent its budget is refused before the crypto work.
        var address = signet.Address.ToString();
        if (!limits.HasAddressBudget(address))
        {
            return P.RateLimited();
        }

        var now = time.GetUtcNow();
        decision = SubmissionRules.CheckSignatureAndTimes(signet, now, settings.MaxClockSkew);
        if (decision.IsRefused)
        {
            return Problem(decision, settings);
        }

        var (openPgp, openPgpProblem) = OpenPgpCertificates.Check(signet, request.OpenPgpCertificate);
        if (openPgpProblem is not null)
        {
            return openPgpProblem;
        }

        var result = await log.Keys.SubmitAsync(
            signet,
            request.Code,
            now,
            a => KeyAnswers.ComputeLabel(keys.Vrf, a),
            s => s.SignOrg(keys.Pok),
            () => limits.TryAcquireAddress(address),
            cancellationToken,
            openPgp).ConfigureAwait(false);
        if (result.Status != SubmitStatus.Accepted)
        {
            return Problem(result.Status, signet.Version);
        }

        signal.Notify();
        if (!wait)
        {
            return TypedResults.Accepted($"/v1/keys/{Uri.EscapeDataString(address)}", new SubmitAccepted(address, signet.Version, "pending"));
        }

        return await WaitForCoverAsync(signet.Address.ToString(), result.Label!, signet.Version, settings.MaxWait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The answer for <paramref name="version"/> once a checkpoint covers it, or not-covered-yet after <paramref name="maxWait"/>.</summary>
    private async Task<Results<Ok<KeyAnswer>, Accepted<SubmitAccepted>, ProblemHttpResult>> WaitForCoverAsync(
        string address, byte[] label, uint version, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        // One timer per request, cancelled as soon as the answer is there.
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(maxWait, time, timeoutSource.Token);
        try
        {
            while (true)
            {
                var next = log.Head.NextCheckpoint;
                var cosignatures = cosigned?.Changed ?? next;
                var mine = await answers.FindVersionAsync(address, label, version, cancellationToken).ConfigureAwait(false);
                if (mine is not null)
                {
                    return TypedResults.Ok(mine);
                }

                if (timeout.IsCompleted)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return P.NotCoveredYet();
                }

                // Answers are served against the checkpoint that meets the advertised quorum:
                // new cosignatures may cover the version as well as a new checkpoint.
                await Task.WhenAny(next, cosignatures, timeout).ConfigureAwait(false);
            }
        }
        finally
        {
            await timeoutSource.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The problem of spec/api.md for a refusal by the stateless rules.</summary>
    private static ProblemHttpResult Problem(SubmissionDecision refusal, DirectoryOptions settings) => refusal.Code switch
    {
        SubmissionCodes.MalformedSignet => P.MalformedSignet(refusal.SignetCode!, refusal.Message),
        SubmissionCodes.WrongDomain => P.WrongDomain(settings.Domain),
        SubmissionCodes.UserSignature => P.BadUserSignature(),
        SubmissionCodes.Expired or SubmissionCodes.CreatedInFuture or SubmissionCodes.ExpiresTooLate => P.ExpiredSignet(refusal.Message),
        _ => throw new InvalidOperationException($"No problem type for {refusal}."),
    };

    /// <summary>The problem of spec/api.md for a refusal by the chain rules, as the key store reports it.</summary>
    private static ProblemHttpResult Problem(SubmitStatus status, uint version) => status switch
    {
        SubmitStatus.VersionConflict => P.VersionConflict(version),
        SubmitStatus.PreviousHashMismatch => P.PreviousHashMismatch(),
        SubmitStatus.Revoked => P.Revoked(),
        SubmitStatus.BadCustodySignature => P.BadCustodySignature(),
        SubmitStatus.MissingCustody => P.MissingCustody(version == 1
            ? "Version 1 cannot be a revocation: a revocation carries the owner's custody signature."
            : "A version after 1 needs a custody signature by the current key, or a reset code."),
        SubmitStatus.CodeRequired => P.CodeRequired(),
        SubmitStatus.InvalidCode => P.InvalidCode(),
        SubmitStatus.NotAdmitted => P.RateLimited(),
        _ => throw new InvalidOperationException($"Unknown submission status {status}."),
    };
}
