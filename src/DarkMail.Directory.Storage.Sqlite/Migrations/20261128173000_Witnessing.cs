using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DarkMail.Directory.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Witnessing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "checkpoint_cosignatures",
                columns: table => new
                {
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    witness = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    line = table.Column<string>(type: "TEXT", nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_checkpoint_cosignatures", x => new { x.size, x.witness });
                });

            migrationBuilder.CreateTable(
                name: "witnessed_logs",
                columns: table => new
                {
                    origin = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    root_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    note = table.Column<byte[]>(type: "BLOB", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_witnessed_logs", x => x.origin);
                });

            migrationBuilder.CreateIndex(
                name: "IX_checkpoint_cosignatures_witness_size",
                table: "checkpoint_cosignatures",
                columns: new[] { "witness", "size" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "checkpoint_cosignatures");

            migrationBuilder.DropTable(
                name: "witnessed_logs");
        }
    }
}
