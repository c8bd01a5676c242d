// spec/api.md "POST /v1/keys", spec/server.md "Submissions": the stateful half of a
// submission. In one write transaction: read the address's account, look up the code the
// chain rules ask for, let the rules (Core SubmissionRules, spec/submissions.md) decide
// against the account's snapshot, then insert the signet, move the account and consume
// the code. A submission is acknowledged only after that commit, and two
// submitters for one address are serialised by the write gate (and, when several processes
// write one PostgreSQL database, by the UNIQUE (account, version) and address indexes, and a
// code is consumed only while still unused), so exactly one wins and a code serves once.
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Storage.Entities;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>
    /// The chain rules accepted the submission but the caller's admission check refused it
    /// (the server's per-address budget, charged only for submissions that pass custody, code or reset).
    /// </summary>
    NotAdmitted,
}

/// <summary>The outcome; on acceptance also the leaf event, the row and the address's label.</summary>
public sealed record SubmitResult(SubmitStatus Status, LeafEvent Event = default, long SignetId = 0, byte[]? Label = null);

/// <summary>
/// One sequenced version of an address, as read for answers, with the highest sequenced reset
/// version up to it and the OpenPGP certificate it commits to (null when its signet has no field 0x09).
/// </summary>
public sealed record StoredVersion(
    string Address,
    byte[] Label,
    byte[] VrfProof,
    uint Version,
    LeafEvent Event,
    byte[] Signet,
    byte[] Leaf,
    long LeafIndex,
    uint? LastResetVersion,
    byte[]? OpenPgpCertificate = null);

public sealed class KeyStore(DirectoryDatabase database)
{
    /// <summary>Most submissions committed together.</summary>
    public const int MaxGroup = 256;

    private readonly ConcurrentQueue<Pending> queue = new();

    /// <summary>SHA-256 of a code's UTF-8 text: all the store ever keeps of a code.</summary>
    public static byte[] HashCode(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));

    /// <summary>
    /// Checks the stateful rules and, when they hold, stores the org-signed signet for the
    /// sequencer; returns only after the commit. <paramref name="labeler"/> (for version 1)
    /// and <paramref name="signOrg"/> run before the write gate is taken, so that this CPU
    /// work proceeds in parallel; their results are stored only when every rule passes.
    /// <paramref name="admit"/>, when given, is asked once, under the write gate, only after
    /// the chain rules accepted the submission; false refuses it with <see cref="SubmitStatus.NotAdmitted"/>.
    /// </summary>
    /// <remarks>
    /// Group commit: submissions that arrive while a transaction is being written queue up,
    /// and one committer task (started by a submission that finds none running) takes the
    /// write gate and checks and stores all of them (in arrival order, each seeing the ones
    /// before it, up to <see cref="MaxGroup"/>) in one transaction, so one disk flush
    /// acknowledges many submissions; each is answered as soon as its group's commit returns.
    /// Once queued, a submission is decided even if its caller goes away.
    /// </remarks>
    public async Task<SubmitResult> SubmitAsync(
        UnsignedSignet signet,
        string? code,
        DateTimeOffset now,
        Func<string, (byte[] Label, byte[] Proof)> labeler,
        Func<UnsignedSignet, Signet> signOrg,
        Func<bool>? admit = null,
        CancellationToken cancellationToken = default,
        OpenPgpRow? openPgp = null)
    {
        ArgumentNullException.ThrowIfNull(signet);
        ArgumentNullException.ThrowIfNull(labeler);
        ArgumentNullException.ThrowIfNull(signOrg);
        var labelAndProof = signet.Version == 1 ? labeler(signet.Address.ToString()) : default;
        var pending = new Pending(signet, signOrg(signet), code, now.ToUnixTimeMilliseconds(), labelAndProof, admit) { OpenPgp = openPgp };
        queue.Enqueue(pending);
        if (Interlocked.CompareExchange(ref committing, 1, 0) == 0)
        {
            // One committer at a time drains the queue; the submitters only wait for their
            // own result (no convoy of submitters passing the write gate one by one).
            _ = Task.Run(CommitQueueAsync, CancellationToken.None);
        }

        return await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>1 while <see cref="CommitQueueAsync"/> runs.</summary>
    private int committing;

    /// <summary>
    /// Commits the queue group by group until it is empty: each group is everything queued
    /// (up to <see cref="MaxGroup"/>) when the write gate is taken, so a group grows with the
    /// rate at which submissions arrive during the previous group's commit and flush.
    /// </summary>
    private async Task CommitQueueAsync()
    {
        while (true)
        {
            while (!queue.IsEmpty)
            {
                var group = new List<Pending>();
                await database.WriteGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    while (group.Count < MaxGroup && queue.TryDequeue(out var next))
                    {
                        group.Add(next);
                    }

                    await CommitGroupAsync(group).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    foreach (var pending in group)
                    {
                        pending.Result.TrySetException(e);
                    }
                }
                finally
                {
                    database.WriteGate.Release();
                }
            }

            // A submission queued after the last check but before this reset started no
            // committer of its own: look again, and carry on unless another committer did.
            Volatile.Write(ref committing, 0);
            if (queue.IsEmpty || Interlocked.CompareExchange(ref committing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task CommitGroupAsync(List<Pending> group)
    {
        if (group.Count == 0)
        {
            return;
        }

        var results = new SubmitResult[group.Count];
        try
        {
            await using var context = database.CreateContext();
            await using var transaction = await context.Database.BeginTransactionAsync().ConfigureAwait(false);
            await using var statements = new GroupStatements(context);
            for (var i = 0; i < group.Count; i++)
            {
                results[i] = await StageAsync(statements, group[i]).ConfigureAwait(false);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception e) when (IsLostRace(e) && group.Count > 1)
        {
            // Only a writer outside this process can cause this; retry one by one so that
            // only the submission that lost its version is refused.
            foreach (var pending in group)
            {
                await CommitGroupAsync([pending]).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsLostRace(e))
        {
            group[0].Result.TrySetResult(new SubmitResult(e is CodeAlreadyUsedException ? SubmitStatus.InvalidCode : SubmitStatus.VersionConflict));
        }
        catch (Exception e)
        {
            foreach (var pending in group)
            {
                pending.Result.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// Another process's writer won: a UNIQUE index refused a row (the account's version, a
    /// new address), or the code this submission would use was used meanwhile.
    /// </summary>
    private static bool IsLostRace(Exception e) => e is CodeAlreadyUsedException || DirectoryDatabase.IsConstraintViolation(e);

    /// <summary>The one-time code was used by another process's transaction after this one read it.</summary>
    private sealed class CodeAlreadyUsedException() : Exception("The one-time code was used concurrently.");

    /// <summary>
    /// Decides one submission by the chain rules (spec/submissions.md) against the account as
    /// the group so far left it (the group's writes are visible to its reads: one transaction),
    /// and writes it when accepted: account, code, signet row.
    /// </summary>
    private static async Task<SubmitResult> StageAsync(GroupStatements statements, Pending submission)
    {
        var signet = submission.Signet;
        var address = signet.Address.ToString();
        var account = await statements.FindAccountAsync(address).ConfigureAwait(false);
        var snapshot = account is null
            ? AccountSnapshot.None
            : new AccountSnapshot(account.Version, account.SigningKey, account.Hash, account.Revoked);

        // A code is looked up only for the purpose the rules say it must serve; one that can
        // serve none here (a submission with custody) counts as unusable and is left unused.
        byte[]? usedCode = null;
        var purpose = SubmissionRules.CodePurposeFor(snapshot, signet);
        if (submission.Code is not null && purpose != CodePurpose.None)
        {
            var kind = purpose == CodePurpose.Enrollment ? CodeKind.Enrollment : CodeKind.Reset;
            var hash = HashCode(submission.Code);
            usedCode = await statements.IsUsableCodeAsync(hash, address, kind, submission.NowMs).ConfigureAwait(false) ? hash : null;
        }

        var presented = submission.Code is null ? PresentedCode.None
            : usedCode is null ? PresentedCode.Unusable
            : PresentedCode.Usable;
        var label = account?.Label ?? submission.LabelAndProof.Label;
        var decision = SubmissionRules.DecideChain(snapshot, signet, label, presented);
        if (decision.Event is not { } leafEvent)
        {
            return new SubmitResult(StatusOf(decision));
        }

        if (!submission.Admitted())
        {
            return new SubmitResult(SubmitStatus.NotAdmitted);
        }

        var complete = submission.Complete;
        var accountId = await statements.SaveAccountAsync(account?.Id, address, submission.LabelAndProof, complete, leafEvent == LeafEvent.Reset).ConfigureAwait(false);
        if (usedCode is not null)
        {
            await statements.UseCodeAsync(usedCode, submission.NowMs).ConfigureAwait(false);
        }

        var id = await statements.InsertSignetAsync(accountId, complete, leafEvent, submission.NowMs).ConfigureAwait(false);
        if (submission.OpenPgp is { } openPgp)
        {
            await statements.InsertOpenPgpAsync(id, address, complete.Version, openPgp).ConfigureAwait(false);
        }

        return new SubmitResult(SubmitStatus.Accepted, leafEvent, id, label);
    }

    private static SubmitStatus StatusOf(SubmissionDecision refusal) => refusal.Code switch
    {
        SubmissionCodes.VersionConflict => SubmitStatus.VersionConflict,
        SubmissionCodes.PreviousHash => SubmitStatus.PreviousHashMismatch,
        SubmissionCodes.Revoked => SubmitStatus.Revoked,
        SubmissionCodes.CustodyInvalid => SubmitStatus.BadCustodySignature,
        SubmissionCodes.CustodyMissing => SubmitStatus.MissingCustody,
        SubmissionCodes.CodeRequired => SubmitStatus.CodeRequired,
        SubmissionCodes.CodeInvalid => SubmitStatus.InvalidCode,
        _ => throw new InvalidOperationException($"The chain rules gave {refusal}."),
    };

    /// <summary>Stores a new one-time code (only its hash).</summary>
    public Task CreateCodeAsync(string address, CodeKind kind, string code, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken = default) =>
        CreateCodesAsync([(address, code)], kind, now, expires, cancellationToken);

    /// <summary>
    /// Stores many new one-time codes (only their hashes), all of one kind and expiry, in one
    /// transaction: all or none, one flush for the lot.
    /// </summary>
    public async Task CreateCodesAsync(IReadOnlyList<(string Address, string Code)> codes, CodeKind kind, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(codes);
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var insert = SqlCommands.Create(context,
                "INSERT INTO one_time_codes (code_hash, address, kind, created_at, expires_at) VALUES ($hash, $address, $kind, $created, $expires)",
                "$hash", "$address", "$kind", "$created", "$expires");
            foreach (var (address, code) in codes)
            {
                ArgumentException.ThrowIfNullOrEmpty(address);
                ArgumentException.ThrowIfNullOrEmpty(code);
                insert.With(HashCode(code), address, (int)kind, now.ToUnixTimeMilliseconds(), expires.ToUnixTimeMilliseconds());
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>
    /// The sequenced versions of the address with this label numbered above <paramref name="after"/>
    /// and at most <paramref name="through"/>, oldest first, at most <paramref name="limit"/> of them
    /// (empty when the label is unknown); each with the highest sequenced reset version up to and
    /// including it. One indexed query that reads only the rows it returns: the latest answer asks
    /// for exactly one version, a history page for one page, whatever the address's history holds.
    /// </summary>
    public async Task<IReadOnlyList<StoredVersion>> GetSequencedVersionsAsync(
        byte[] label, uint after, uint through, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var result = new List<StoredVersion>(Math.Min(limit, 256));
        if (through <= after)
        {
            return result;
        }

        await using var context = database.CreateContext();
        var compiled = database.Provider == DatabaseProvider.Sqlite ? SqliteSequencedVersions : PostgreSqlSequencedVersions;
        var query = compiled(context, label, (long)after, (long)through, limit);
        await foreach (var row in query.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            result.Add(row.ToStoredVersion());
        }

        return result;
    }

    /// <summary>The SQL comment that names the query of <see cref="GetSequencedVersionsAsync"/> (diagnostics, tests).</summary>
    public const string SequencedVersionsTag = "dmd: sequenced versions";

    // Compiled once per provider (a compiled query belongs to one model): the lookup path runs
    // this for every GET that hits. The last reset is a correlated subquery over the account's
    // own rows (index account_id, version).
    private static readonly Func<DirectoryDbContext, byte[], long, long, int, IAsyncEnumerable<SequencedRow>> SqliteSequencedVersions =
        EF.CompileAsyncQuery(SequencedVersions());

    private static readonly Func<DirectoryDbContext, byte[], long, long, int, IAsyncEnumerable<SequencedRow>> PostgreSqlSequencedVersions =
        EF.CompileAsyncQuery(SequencedVersions());

    private static System.Linq.Expressions.Expression<Func<DirectoryDbContext, byte[], long, long, int, IQueryable<SequencedRow>>> SequencedVersions() =>
        (DirectoryDbContext context, byte[] label, long after, long through, int limit) =>
            context.Signets.AsNoTracking()
                .TagWith(SequencedVersionsTag)
                .Where(s => s.Account!.Label == label && s.LeafIndex != null && s.Version > after && s.Version <= through)
                .OrderBy(s => s.Version)
                .Take(limit)
                .Select(s => new SequencedRow(
                    s.Account!.Address,
                    s.Account.Label,
                    s.Account.VrfProof,
                    (LeafEvent)s.Event,
                    s.Signet,
                    s.LeafTimestamp!.Value,
                    s.LeafIndex!.Value,
                    (uint?)context.Signets
                        .Where(r => r.AccountId == s.AccountId && r.Event == (int)LeafEvent.Reset && r.LeafIndex != null && r.Version <= s.Version)
                        .Max(r => (long?)r.Version),
                    context.OpenPgpCertificates.Where(c => c.SignetId == s.Id).Select(c => c.Certificate).FirstOrDefault()));

    private sealed class Pending(UnsignedSignet signet, Signet complete, string? code, long nowMs, (byte[] Label, byte[] Proof) labelAndProof, Func<bool>? admit)
    {
        private bool? admitted;

        public UnsignedSignet Signet => signet;

        /// <summary>The org-signed signet, stored only when the submission is accepted.</summary>
        public Signet Complete => complete;

        public string? Code => code;

        public long NowMs => nowMs;

        /// <summary>The label and VRF proof of a version 1's address.</summary>
        public (byte[] Label, byte[] Proof) LabelAndProof => labelAndProof;

        public TaskCompletionSource<SubmitResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The OpenPGP certificate the signet commits to, already checked (spec/openpgp.md §3); null without one.</summary>
        public OpenPgpRow? OpenPgp { get; init; }

        /// <summary>The admission check, asked at most once (a group retried one by one stages again).</summary>
        public bool Admitted() => admitted ??= admit?.Invoke() ?? true;
    }

    /// <summary>
    /// A sequenced row as read; its leaf is rebuilt from the row, the account's label and the
    /// leaf timestamp exactly as the sequencer built the one in the entry bundle (LogLeaf is canonical).
    /// </summary>
    private sealed record SequencedRow(string Address, byte[] Label, byte[] VrfProof, LeafEvent Event, byte[] Signet, long LeafTimestamp, long LeafIndex, uint? LastResetVersion, byte[]? OpenPgpCertificate)
    {
        public StoredVersion ToStoredVersion()
        {
            var signet = Core.Signets.Signet.Decode(Signet);
            return new StoredVersion(Address, Label, VrfProof, signet.Version, Event, Signet, BuildLeaf(Event, LeafTimestamp, Label, signet), LeafIndex, LastResetVersion, OpenPgpCertificate);
        }
    }

    /// <summary>The leaf of a stored signet (spec/leaves.md), as the sequencer logs it; throws when the leaf rules refuse it.</summary>
    public static byte[] BuildLeaf(LeafEvent leafEvent, long timestamp, byte[] label, Signet signet)
    {
        ArgumentNullException.ThrowIfNull(signet);
        return new LogLeaf(leafEvent, (ulong)timestamp, label, signet.Version, signet.SigningKey, signet.BodyHash, signet.CustodySignature).Encode();
    }

    /// <summary>An account as the chain rules need it.</summary>
    private sealed record StoredAccount(long Id, byte[] Label, uint Version, byte[] SigningKey, byte[] Hash, bool Revoked);

    /// <summary>
    /// The group commit's statements, prepared once per group on the context's connection and
    /// transaction: plain indexed reads and writes, with no change tracking between a
    /// submission and its row (spec/server.md §6.1 lists what one submission reads and writes).
    /// </summary>
    private sealed class GroupStatements : IAsyncDisposable
    {
        private readonly DbCommand findAccount;
        private readonly DbCommand findCode;
        private readonly DbCommand insertAccount;
        private readonly DbCommand updateAccount;
        private readonly DbCommand useCode;
        private readonly DbCommand insertSignet;
        private readonly DirectoryDbContext context;
        private DbCommand? insertOpenPgp;

        public GroupStatements(DirectoryDbContext context)
        {
            this.context = context;
            findAccount = SqlCommands.Create(context,
                "SELECT id, label, current_version, current_signing_key, current_hash, revoked FROM accounts WHERE address = $address",
                "$address");
            findCode = SqlCommands.Create(context,
                "SELECT count(*) FROM one_time_codes WHERE code_hash = $hash AND address = $address AND kind = $kind AND used_at IS NULL AND expires_at > $now",
                "$hash", "$address", "$kind", "$now");
            insertAccount = SqlCommands.Create(context,
                "INSERT INTO accounts (address, label, vrf_proof, current_version, current_signing_key, current_hash, revoked, last_reset_version) " +
                "VALUES ($address, $label, $proof, $version, $key, $hash, $revoked, $reset) RETURNING id",
                "$address", "$label", "$proof", "$version", "$key", "$hash", "$revoked", "$reset");
            updateAccount = SqlCommands.Create(context,
                "UPDATE accounts SET current_version = $version, current_signing_key = $key, current_hash = $hash, revoked = $revoked, " +
                "last_reset_version = coalesce($reset, last_reset_version) WHERE id = $id",
                "$version", "$key", "$hash", "$revoked", "$reset", "$id");
            useCode = SqlCommands.Create(context, "UPDATE one_time_codes SET used_at = $now WHERE code_hash = $hash AND used_at IS NULL", "$now", "$hash");
            insertSignet = SqlCommands.Create(context,
                "INSERT INTO signets (account_id, version, signet, event, submitted_at) VALUES ($account, $version, $signet, $event, $submitted) RETURNING id",
                "$account", "$version", "$signet", "$event", "$submitted");
        }

        public async Task<StoredAccount?> FindAccountAsync(string address)
        {
            await using var reader = await findAccount.With(address).ExecuteReaderAsync().ConfigureAwait(false);
            if (!await reader.ReadAsync().ConfigureAwait(false))
            {
                return null;
            }

            return new StoredAccount(reader.GetInt64(0), (byte[])reader[1], checked((uint)reader.GetInt64(2)), (byte[])reader[3], (byte[])reader[4], reader.GetBoolean(5));
        }

        public async Task<bool> IsUsableCodeAsync(byte[] hash, string address, CodeKind kind, long nowMs)
        {
            return (long)(await findCode.With(hash, address, (int)kind, nowMs).ExecuteScalarAsync().ConfigureAwait(false))! > 0;
        }

        /// <summary>Creates the account of a version 1 or moves an existing one to <paramref name="complete"/>; returns its id.</summary>
        public async Task<long> SaveAccountAsync(long? id, string address, (byte[] Label, byte[] Proof) labelAndProof, Signet complete, bool reset)
        {
            object? resetVersion = reset ? (long)complete.Version : DBNull.Value;
            if (id is { } existing)
            {
                updateAccount.With((long)complete.Version, complete.SigningKey.ToArray(), complete.Hash.ToArray(), complete.IsRevoked, resetVersion, existing);
                await updateAccount.ExecuteNonQueryAsync().ConfigureAwait(false);
                return existing;
            }

            insertAccount.With(address, labelAndProof.Label, labelAndProof.Proof, (long)complete.Version, complete.SigningKey.ToArray(), complete.Hash.ToArray(),
                complete.IsRevoked, resetVersion);
            return (long)(await insertAccount.ExecuteScalarAsync().ConfigureAwait(false))!;
        }

        /// <summary>Marks the code used; a code another process used since it was read (PostgreSQL: READ COMMITTED) loses the race.</summary>
        public async Task UseCodeAsync(byte[] hash, long nowMs)
        {
            useCode.With(nowMs, hash);
            if (await useCode.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
            {
                throw new CodeAlreadyUsedException();
            }
        }

        public async Task<long> InsertSignetAsync(long accountId, Signet complete, LeafEvent leafEvent, long nowMs)
        {
            insertSignet.With(accountId, (long)complete.Version, complete.ToArray(), (int)leafEvent, nowMs);
            return (long)(await insertSignet.ExecuteScalarAsync().ConfigureAwait(false))!;
        }

        /// <summary>Stores the certificate of signet row <paramref name="signetId"/> (prepared only by groups that carry one).</summary>
        public Task InsertOpenPgpAsync(long signetId, string address, uint version, OpenPgpRow row)
        {
            insertOpenPgp ??= SqlCommands.Create(context,
                "INSERT INTO openpgp_certificates (signet_id, address, version, certificate, fingerprint, wkd_digest) " +
                "VALUES ($signet, $address, $version, $certificate, $fingerprint, $wkd)",
                "$signet", "$address", "$version", "$certificate", "$fingerprint", "$wkd");
            insertOpenPgp.With(signetId, address, (long)version, row.Certificate, row.Fingerprint, row.WkdDigest);
            return insertOpenPgp.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in (DbCommand?[])[findAccount, findCode, insertAccount, updateAccount, useCode, insertSignet, insertOpenPgp])
            {
                if (command is not null)
                {
                    await command.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }
}
