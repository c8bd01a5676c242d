using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DarkMail.Directory.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    address = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    label = table.Column<byte[]>(type: "BLOB", nullable: false),
                    vrf_proof = table.Column<byte[]>(type: "BLOB", nullable: false),
                    current_version = table.Column<long>(type: "INTEGER", nullable: false),
                    current_signing_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                    current_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    revoked = table.Column<bool>(type: "INTEGER", nullable: false),
                    last_reset_version = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_accounts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "checkpoints",
                columns: table => new
                {
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    root_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    note = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_checkpoints", x => x.size);
                });

            migrationBuilder.CreateTable(
                name: "entry_bundles",
                columns: table => new
                {
                    bundle_index = table.Column<long>(type: "INTEGER", nullable: false),
                    data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_entry_bundles", x => x.bundle_index);
                });

            migrationBuilder.CreateTable(
                name: "log_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    last_timestamp = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_log_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "one_time_codes",
                columns: table => new
                {
                    code_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    address = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    used_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_one_time_codes", x => x.code_hash);
                });

            migrationBuilder.CreateTable(
                name: "tiles",
                columns: table => new
                {
                    level = table.Column<int>(type: "INTEGER", nullable: false),
                    tile_index = table.Column<long>(type: "INTEGER", nullable: false),
                    data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tiles", x => new { x.level, x.tile_index });
                });

            migrationBuilder.CreateTable(
                name: "signets",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    signet = table.Column<byte[]>(type: "BLOB", nullable: false),
                    body_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    @event = table.Column<int>(name: "event", type: "INTEGER", nullable: false),
                    submitted_at = table.Column<long>(type: "INTEGER", nullable: false),
                    leaf = table.Column<byte[]>(type: "BLOB", nullable: true),
                    leaf_index = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_signets", x => x.id);
                    table.ForeignKey(
                        name: "FK_signets_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_accounts_address",
                table: "accounts",
                column: "address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_accounts_label",
                table: "accounts",
                column: "label",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_one_time_codes_address",
                table: "one_time_codes",
                column: "address");

            migrationBuilder.CreateIndex(
                name: "IX_signets_account_id_version",
                table: "signets",
                columns: new[] { "account_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_signets_leaf_index",
                table: "signets",
                column: "leaf_index",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_signets_pending",
                table: "signets",
                column: "id",
                filter: "leaf_index IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "checkpoints");

            migrationBuilder.DropTable(
                name: "entry_bundles");

            migrationBuilder.DropTable(
                name: "log_state");

            migrationBuilder.DropTable(
                name: "one_time_codes");

            migrationBuilder.DropTable(
                name: "signets");

            migrationBuilder.DropTable(
                name: "tiles");

            migrationBuilder.DropTable(
                name: "accounts");
        }
    }
}
