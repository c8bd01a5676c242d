// spec/server.md §5 "Storage" (issue 10, bytes per version): each leaf was stored twice, in
// its entry bundle and in signets.leaf, and signets.body_hash repeated what the signet holds.
// This migration keeps the one thing of the leaf that no other column holds, its timestamp
// (leaf bytes 2..9, u64 big-endian, spec/leaves.md §2), in signets.leaf_timestamp, and drops
// both copies; answers rebuild the leaf from the row (KeyStore.BuildLeaf, the sequencer's own
// function). It also drops the index on one_time_codes.address, which no query uses (codes
// are found by their hash, the primary key). SQLite reads the timestamp out of the blob with
// hex() and instr(): it has no function from bytes to integer. Rows not yet integrated have
// no leaf and keep a null timestamp. There is no way back: the dropped bytes are recomputed
// by code, not SQL, so Down refuses.
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DarkMail.Directory.Storage.Migrations
{
    /// <inheritdoc />
    public partial class CompactSignets : Migration
    {
        /// <summary>The leaf's timestamp as an SQLite integer expression over the column <c>leaf</c>.</summary>
        internal static string LeafTimestampSql()
        {
            var hex = "hex(substr(leaf, 3, 8))";
            var digits = new string[16];
            for (var i = 0; i < 16; i++)
            {
                digits[i] = $"((instr('0123456789ABCDEF', substr({hex}, {i + 1}, 1)) - 1) << {4 * (15 - i)})";
            }

            return string.Join(" | ", digits);
        }

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_one_time_codes_address",
                table: "one_time_codes");

            migrationBuilder.AddColumn<long>(
                name: "leaf_timestamp",
                table: "signets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.Sql($"UPDATE signets SET leaf_timestamp = {LeafTimestampSql()} WHERE leaf IS NOT NULL;");

            migrationBuilder.DropColumn(
                name: "body_hash",
                table: "signets");

            migrationBuilder.DropColumn(
                name: "leaf",
                table: "signets");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            throw new NotSupportedException("CompactSignets cannot be reverted: the leaves and body hashes it dropped are recomputed by the directory, not by SQL.");
    }
}
