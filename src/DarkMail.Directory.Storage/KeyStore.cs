// spec/api.md "POST /v1/keys", spec/server.md "Submissions": the stateful half of a
// submission. In one write transaction: read the address's account, check the version
// chain (current + 1, previous hash), custody under the current signing key or a reset
// code, an enrollment code for version 1, then insert the signet, move the account and
// consume the code. A submission is acknowledged only after that commit, and two
// submitters for one address are serialised by the write gate (and, should a second
// process ever write, by the UNIQUE (account, version) index), so exactly one wins.
using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NSec.Cryptography;

namespace DarkMail.Directory.Storage;

public enum SubmitStatus
{
    Accepted,

    /// <summary>The version is not the current version + 1.</summary>
    VersionConflict,

    /// <summary>The previous-hash field is not the current signet's hash.</summary>
    PreviousHashMismatch,

    /// <summary>The address is revoked; only a reset may follow.</summary>
    Revoked,

    BadCustodySignature,

    /// <summary>A later version without custody and without a reset code (or a version 1 marked revoked).</summary>
    MissingCustody,

    /// <summary>Version 1 without an enrollment code.</summary>
    CodeRequired,

    /// <summary>The code is unknown, used, expired, of the other kind or for another address.</summary>
    InvalidCode,
}

/// <summary>The outcome; on acceptance also the leaf event, the row and the address's label.</summary>
public sealed record SubmitResult(SubmitStatus Status, LeafEvent Event = default, long SignetId = 0, byte[]? Label = null);

/// <summary>One sequenced version of an address, as read for answers.</summary>
public sealed record StoredVersion(
    string Address,
    byte[] Label,
    byte[] VrfProof,
    uint Version,
    LeafEvent Event,
    byte[] Signet,
    byte[] Leaf,
    long LeafIndex);

public sealed class KeyStore(DirectoryDatabase database)
{
    /// <summary>SHA-256 of a code's UTF-8 text: all the store ever keeps of a code.</summary>
    public static byte[] HashCode(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));

    /// <summary>
    /// Checks the stateful rules and, when they hold, stores the org-signed signet for the
    /// sequencer. <paramref name="labeler"/> is called only for a new address (inside the
    /// transaction); <paramref name="signOrg"/> only once every rule has passed.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(
        UnsignedSignet signet,
        string? code,
        DateTimeOffset now,
        Func<string, (byte[] Label, byte[] Proof)> labeler,
        Func<UnsignedSignet, Signet> signOrg,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signet);
        ArgumentNullException.ThrowIfNull(labeler);
        ArgumentNullException.ThrowIfNull(signOrg);
        var address = signet.Address.ToString();
        var nowMs = now.ToUnixTimeMilliseconds();

        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var account = await context.Accounts.FirstOrDefaultAsync(a => a.Address == address, cancellationToken).ConfigureAwait(false);
            var current = account?.CurrentVersion ?? 0;
            if (signet.Version != current + 1)
            {
                return new SubmitResult(SubmitStatus.VersionConflict);
            }

            LeafEvent leafEvent;
            OneTimeCodeEntity? usedCode = null;
            if (account is null)
            {
                if (signet.IsRevoked)
                {
                    return new SubmitResult(SubmitStatus.MissingCustody);
                }

                if (code is null)
                {
                    return new SubmitResult(SubmitStatus.CodeRequired);
                }

                usedCode = await FindUsableCodeAsync(context, code, address, CodeKind.Enrollment, nowMs, cancellationToken).ConfigureAwait(false);
                if (usedCode is null)
                {
                    return new SubmitResult(SubmitStatus.InvalidCode);
                }

                var (label, proof) = labeler(address);
                account = new AccountEntity
                {
                    Address = address,
                    Label = label,
                    VrfProof = proof,
                    CurrentSigningKey = [],
                    CurrentHash = [],
                };
                context.Accounts.Add(account);
                leafEvent = LeafEvent.Publish;
            }
            else
            {
                if (!signet.PreviousHash.SequenceEqual(account.CurrentHash))
                {
                    return new SubmitResult(SubmitStatus.PreviousHashMismatch);
                }

                if (signet.HasCustodySignature)
                {
                    if (account.Revoked)
                    {
                        return new SubmitResult(SubmitStatus.Revoked);
                    }

                    if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, account.CurrentSigningKey, KeyBlobFormat.RawPublicKey, out var previousKey)
                        || previousKey is null
                        || !signet.VerifyCustody(previousKey, account.Label))
                    {
                        return new SubmitResult(SubmitStatus.BadCustodySignature);
                    }

                    leafEvent = signet.IsRevoked ? LeafEvent.Revoke : LeafEvent.Rotate;
                }
                else
                {
                    if (code is null)
                    {
                        return new SubmitResult(SubmitStatus.MissingCustody);
                    }

                    usedCode = await FindUsableCodeAsync(context, code, address, CodeKind.Reset, nowMs, cancellationToken).ConfigureAwait(false);
                    if (usedCode is null)
                    {
                        return new SubmitResult(SubmitStatus.InvalidCode);
                    }

                    leafEvent = LeafEvent.Reset;
                }
            }

            var complete = signOrg(signet);
            account.CurrentVersion = complete.Version;
            account.CurrentSigningKey = complete.SigningKey.ToArray();
            account.CurrentHash = complete.Hash.ToArray();
            account.Revoked = complete.IsRevoked;
            if (leafEvent == LeafEvent.Reset)
            {
                account.LastResetVersion = complete.Version;
            }

            if (usedCode is not null)
            {
                usedCode.UsedAt = nowMs;
            }

            var row = new SignetEntity
            {
                Account = account,
                Version = complete.Version,
                Signet = complete.ToArray(),
                BodyHash = complete.BodyHash.ToArray(),
                Event = (int)leafEvent,
                SubmittedAt = nowMs,
            };
            context.Signets.Add(row);
            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // Only a writer outside this process can get here: it won the version.
                return new SubmitResult(SubmitStatus.VersionConflict);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new SubmitResult(SubmitStatus.Accepted, leafEvent, row.Id, account.Label);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>Stores a new one-time code (only its hash).</summary>
    public async Task CreateCodeAsync(string address, CodeKind kind, string code, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentException.ThrowIfNullOrEmpty(code);
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            context.Codes.Add(new OneTimeCodeEntity
            {
                CodeHash = HashCode(code),
                Address = address,
                Kind = kind,
                CreatedAt = now.ToUnixTimeMilliseconds(),
                ExpiresAt = expires.ToUnixTimeMilliseconds(),
            });
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>
    /// Every sequenced version of the address with this label, oldest first (empty when the
    /// label is unknown). One indexed query, the same for a hit and a miss.
    /// </summary>
    public async Task<IReadOnlyList<StoredVersion>> GetSequencedVersionsAsync(byte[] label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        await using var context = database.CreateContext();
        var rows = await context.Signets.AsNoTracking()
            .Where(s => s.Account!.Label == label && s.LeafIndex != null)
            .OrderBy(s => s.Version)
            .Select(s => new { s.Account!.Address, s.Account.Label, s.Account.VrfProof, s.Version, s.Event, s.Signet, s.Leaf, s.LeafIndex })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(r => new StoredVersion(r.Address, r.Label, r.VrfProof, (uint)r.Version, (LeafEvent)r.Event, r.Signet, r.Leaf!, r.LeafIndex!.Value));
    }

    private static Task<OneTimeCodeEntity?> FindUsableCodeAsync(DirectoryDbContext context, string code, string address, CodeKind kind, long nowMs, CancellationToken cancellationToken)
    {
        var hash = HashCode(code);
        return context.Codes.FirstOrDefaultAsync(
            c => c.CodeHash == hash && c.Address == address && c.Kind == kind && c.UsedAt == null && c.ExpiresAt > nowMs,
            cancellationToken);
    }
}
