// spec/server.md "Storage": the directory's tables. Table and column names are snake_case
// so the schema reads the same from the sqlite3 shell and from PostgreSQL later.
using DarkMail.Directory.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage;

public sealed class DirectoryDbContext(DbContextOptions<DirectoryDbContext> options) : DbContext(options)
{
    /// <summary>Longest rejection reason stored in <c>signets.rejected</c>.</summary>
    public const int RejectedMaxLength = 200;

    public DbSet<AccountEntity> Accounts => Set<AccountEntity>();

    public DbSet<SignetEntity> Signets => Set<SignetEntity>();

    public DbSet<TileEntity> Tiles => Set<TileEntity>();

    public DbSet<EntryBundleEntity> EntryBundles => Set<EntryBundleEntity>();

    public DbSet<CheckpointEntity> Checkpoints => Set<CheckpointEntity>();

    public DbSet<OneTimeCodeEntity> Codes => Set<OneTimeCodeEntity>();

    public DbSet<LogStateEntity> LogState => Set<LogStateEntity>();

    public DbSet<WitnessedLogEntity> WitnessedLogs => Set<WitnessedLogEntity>();

    public DbSet<CosignatureEntity> Cosignatures => Set<CosignatureEntity>();

    public DbSet<OpenPgpCertificateEntity> OpenPgpCertificates => Set<OpenPgpCertificateEntity>();

    public DbSet<SequencerLeaseEntity> SequencerLease => Set<SequencerLeaseEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AccountEntity>(e =>
        {
            e.ToTable("accounts");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).HasColumnName("id");
            e.Property(a => a.Address).HasColumnName("address").HasMaxLength(400);
            e.Property(a => a.Label).HasColumnName("label");
            e.Property(a => a.VrfProof).HasColumnName("vrf_proof");
            e.Property(a => a.CurrentVersion).HasColumnName("current_version");
            e.Property(a => a.CurrentSigningKey).HasColumnName("current_signing_key");
            e.Property(a => a.CurrentHash).HasColumnName("current_hash");
            e.Property(a => a.Revoked).HasColumnName("revoked");
            e.Property(a => a.LastResetVersion).HasColumnName("last_reset_version");
            e.HasIndex(a => a.Address).IsUnique();
            e.HasIndex(a => a.Label).IsUnique();
            e.HasMany(a => a.Signets).WithOne(s => s.Account).HasForeignKey(s => s.AccountId);
        });

        modelBuilder.Entity<SignetEntity>(e =>
        {
            e.ToTable("signets");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).HasColumnName("id");
            e.Property(s => s.AccountId).HasColumnName("account_id");
            e.Property(s => s.Version).HasColumnName("version");
            e.Property(s => s.Signet).HasColumnName("signet");
            e.Property(s => s.Event).HasColumnName("event");
            e.Property(s => s.SubmittedAt).HasColumnName("submitted_at");
            e.Property(s => s.LeafTimestamp).HasColumnName("leaf_timestamp");
            e.Property(s => s.LeafIndex).HasColumnName("leaf_index");
            e.Property(s => s.Rejected).HasColumnName("rejected").HasMaxLength(RejectedMaxLength);
            e.HasIndex(s => new { s.AccountId, s.Version }).IsUnique();
            e.HasIndex(s => s.LeafIndex).IsUnique();

            // The sequencer's queue: rows not yet in the log nor rejected, in acceptance order.
            e.HasIndex(s => s.Id).HasDatabaseName("ix_signets_pending").HasFilter("leaf_index IS NULL AND rejected IS NULL");
        });

        modelBuilder.Entity<TileEntity>(e =>
        {
            e.ToTable("tiles");
            e.HasKey(t => new { t.Level, t.Index });
            e.Property(t => t.Level).HasColumnName("level");
            e.Property(t => t.Index).HasColumnName("tile_index");
            e.Property(t => t.Data).HasColumnName("data");
        });

        modelBuilder.Entity<EntryBundleEntity>(e =>
        {
            e.ToTable("entry_bundles");
            e.HasKey(b => b.Index);
            e.Property(b => b.Index).HasColumnName("bundle_index").ValueGeneratedNever();
            e.Property(b => b.Data).HasColumnName("data");
        });

        modelBuilder.Entity<CheckpointEntity>(e =>
        {
            e.ToTable("checkpoints");
            e.HasKey(c => c.Size);
            e.Property(c => c.Size).HasColumnName("size").ValueGeneratedNever();
            e.Property(c => c.RootHash).HasColumnName("root_hash");
            e.Property(c => c.Note).HasColumnName("note");
            e.Property(c => c.CreatedAt).HasColumnName("created_at");
        });

        modelBuilder.Entity<OneTimeCodeEntity>(e =>
        {
            e.ToTable("one_time_codes");
            e.HasKey(c => c.CodeHash);
            e.Property(c => c.CodeHash).HasColumnName("code_hash");
            e.Property(c => c.Address).HasColumnName("address").HasMaxLength(400);
            e.Property(c => c.Kind).HasColumnName("kind");
            e.Property(c => c.CreatedAt).HasColumnName("created_at");
            e.Property(c => c.ExpiresAt).HasColumnName("expires_at");
            e.Property(c => c.UsedAt).HasColumnName("used_at");
        });

        modelBuilder.Entity<LogStateEntity>(e =>
        {
            e.ToTable("log_state");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(s => s.Size).HasColumnName("size");
            e.Property(s => s.LastTimestamp).HasColumnName("last_timestamp");
        });

        modelBuilder.Entity<SequencerLeaseEntity>(e =>
        {
            e.ToTable("sequencer_lease");
            e.HasKey(l => l.Id);
            e.Property(l => l.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(l => l.Holder).HasColumnName("holder").HasMaxLength(200);
            e.Property(l => l.Token).HasColumnName("token");
            e.Property(l => l.ExpiresAt).HasColumnName("expires_at");
            e.Property(l => l.ProcessLocked).HasColumnName("process_locked");
        });

        modelBuilder.Entity<OpenPgpCertificateEntity>(e =>
        {
            e.ToTable("openpgp_certificates");
            e.HasKey(c => c.SignetId);
            e.Property(c => c.SignetId).HasColumnName("signet_id").ValueGeneratedNever();
            e.Property(c => c.Address).HasColumnName("address").HasMaxLength(400);
            e.Property(c => c.Version).HasColumnName("version");
            e.Property(c => c.Certificate).HasColumnName("certificate");
            e.Property(c => c.Fingerprint).HasColumnName("fingerprint");
            e.Property(c => c.WkdDigest).HasColumnName("wkd_digest");
            e.HasOne(c => c.Signet).WithOne().HasForeignKey<OpenPgpCertificateEntity>(c => c.SignetId);
            e.HasIndex(c => new { c.Address, c.Version }).IsUnique();
            e.HasIndex(c => c.WkdDigest);
            e.HasIndex(c => c.Fingerprint);
        });

        Witnessing.WitnessingModel.Configure(modelBuilder);
    }
}
