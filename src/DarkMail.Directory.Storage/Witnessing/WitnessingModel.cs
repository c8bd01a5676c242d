// spec/server.md "Storage": the witnessing tables (spec/witnessing.md), configured from
// DirectoryDbContext.OnModelCreating with one call so the two features stay apart.
using DarkMail.Directory.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Witnessing;

internal static class WitnessingModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WitnessedLogEntity>(e =>
        {
            e.ToTable("witnessed_logs");
            e.HasKey(w => w.Origin);
            e.Property(w => w.Origin).HasColumnName("origin").HasMaxLength(512);
            e.Property(w => w.Size).HasColumnName("size");
            e.Property(w => w.RootHash).HasColumnName("root_hash");
            e.Property(w => w.Note).HasColumnName("note");
            e.Property(w => w.UpdatedAt).HasColumnName("updated_at");
        });

        modelBuilder.Entity<CosignatureEntity>(e =>
        {
            e.ToTable("checkpoint_cosignatures");
            e.HasKey(c => new { c.Size, c.Witness });
            e.Property(c => c.Size).HasColumnName("size").ValueGeneratedNever();
            e.Property(c => c.Witness).HasColumnName("witness").HasMaxLength(300);
            e.Property(c => c.Line).HasColumnName("line");
            e.Property(c => c.ReceivedAt).HasColumnName("received_at");
            e.HasIndex(c => new { c.Witness, c.Size });
        });
    }
}
