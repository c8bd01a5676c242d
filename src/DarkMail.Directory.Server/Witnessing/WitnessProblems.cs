// spec/witnessing.md "Errors", spec/api.md "Errors": the problem types of
// POST /witness/add-checkpoint. The 409 is not a problem: c2sp.org/tlog-witness fixes its
// body as text/x.tlog.size.
using Microsoft.AspNetCore.Http.HttpResults;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Witnessing;

public static class WitnessProblems
{
    public static ProblemHttpResult Malformed(string code, string detail) => P.Create("witness-malformed", 400, "Malformed add-checkpoint request", detail, code);

    public static ProblemHttpResult UnknownOrigin(string origin) =>
        P.Create("witness-unknown-origin", 404, "Unknown origin", $"This witness does not witness the log {origin}.");

    public static ProblemHttpResult BadSignature(string origin) =>
        P.Create("witness-bad-signature", 403, "No valid log signature", $"The checkpoint carries no valid signature by the log key of {origin}.");

    public static ProblemHttpResult BadProof(string detail) => P.Create("witness-bad-proof", 422, "Inconsistent checkpoint", detail);
}
