using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DarkMail.Directory.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SignetRejected : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_signets_pending",
                table: "signets");

            migrationBuilder.AddColumn<string>(
                name: "rejected",
                table: "signets",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_signets_pending",
                table: "signets",
                column: "id",
                filter: "leaf_index IS NULL AND rejected IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_signets_pending",
                table: "signets");

            migrationBuilder.DropColumn(
                name: "rejected",
                table: "signets");

            migrationBuilder.CreateIndex(
                name: "ix_signets_pending",
                table: "signets",
                column: "id",
                filter: "leaf_index IS NULL");
        }
    }
}
