// spec/server.md "Storage", spec/openpgp.md §4: the openpgp_certificates table (issue 11): the
// certificate each signet with field 0x09 commits to, keyed by its signet row, with the
// (address, version), fingerprint and private WKD digest indexes. Adds a table only: every
// stored row stays as it was, and signets without a certificate have none.
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DarkMail.Directory.Storage.Migrations
{
    /// <inheritdoc />
    public partial class OpenPgpCertificates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "openpgp_certificates",
                columns: table => new
                {
                    signet_id = table.Column<long>(type: "INTEGER", nullable: false),
                    address = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    certificate = table.Column<byte[]>(type: "BLOB", nullable: false),
                    fingerprint = table.Column<byte[]>(type: "BLOB", nullable: false),
                    wkd_digest = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_openpgp_certificates", x => x.signet_id);
                    table.ForeignKey(
                        name: "FK_openpgp_certificates_signets_signet_id",
                        column: x => x.signet_id,
                        principalTable: "signets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_openpgp_certificates_address_version",
                table: "openpgp_certificates",
                columns: new[] { "address", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_openpgp_certificates_fingerprint",
                table: "openpgp_certificates",
                column: "fingerprint");

            migrationBuilder.CreateIndex(
                name: "IX_openpgp_certificates_wkd_digest",
                table: "openpgp_certificates",
                column: "wkd_digest");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "openpgp_certificates");
        }
    }
}
