using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Submissions;

// spec/vectors/submissions.json: every case through SubmissionRules.Decide.
public class SubmissionVectorsTests
{
    public static TheoryData<string, int> Cases() => Indexes(SpecVectors("submissions.json"), "cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_SpecVector_ExactDecision(string section, int index)
    {
        var file = SpecVectors("submissions.json");
        var entry = file[section]![index]!;

        var decision = SubmissionRules.Decide(
            Hex((string)entry["signet_hex"]!),
            (string)file["domain"]!,
            DateTimeOffset.FromUnixTimeSeconds((long)entry["now"]!),
            TimeSpan.FromSeconds((int)file["max_clock_skew_seconds"]!),
            SubmissionVectors.ParseAccount(entry["account"]),
            Hex((string)file["label_hex"]!),
            SubmissionVectors.ParsePresentedCode((string)entry["presented_code"]!));

        Assert.Equal((string)entry["decision"]! == "accepted", decision.IsAccepted);
        Assert.Equal((string?)entry["event"], decision.Event is { } e ? LeafNames[e] : null);
        Assert.Equal((string?)entry["code"], decision.Code);
        Assert.Equal((string?)entry["signet_code"], decision.SignetCode);
    }

    [Fact]
    public void SpecVectors_EveryLeafEvent_AcceptedAtLeastOnce()
    {
        var events = SpecVectors("submissions.json")["cases"]!.AsArray()
            .Select(c => (string?)c!["event"])
            .ToHashSet(StringComparer.Ordinal);
        Assert.All(LeafNames.Values, name => Assert.Contains(name, events));
    }

    [Fact]
    public void SpecVectorLabel_IsVrfLabelOfAddress()
    {
        var file = SpecVectors("submissions.json");
        using var vrfKey = VrfSecretKey.Import(Hex((string)file["vrf_secret_key_hex"]!));
        Assert.Equal(Hex((string)file["label_hex"]!), Label.Compute(vrfKey, (string)file["address"]!).Label);
    }

    [Fact]
    public void SubmissionVectors_Generator_MatchesCheckedInFile()
    {
        AssertGeneratorMatchesFile(new SubmissionVectors());
    }

    private static readonly Dictionary<LeafEvent, string> LeafNames = new()
    {
        [LeafEvent.Publish] = "publish",
        [LeafEvent.Rotate] = "rotate",
        [LeafEvent.Reset] = "reset",
        [LeafEvent.Revoke] = "revoke",
    };
}
