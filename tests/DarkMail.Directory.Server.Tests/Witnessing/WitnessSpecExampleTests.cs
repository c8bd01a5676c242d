// spec/witnessing.md §7 "Worked example": the request and response bytes printed there are
// what the library parses, verifies and produces (witness key seed 32 × 0x02, log seed 32 × 0x01).
using System.Security.Cryptography;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Witness;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class WitnessSpecExampleTests
{
    private const string RequestHex = "6f6c6420310a79316f3836474c443479487a393939744a7042556e704e716a6a64784e61727038396166615239556656733d0a0a612e746573742f646d640a320a2f46397269502b465650646273766e6d38357778735a4e74524c615364753333735342616c56755859654d3d0a0ae2809420612e746573742f646d6420327554563855724a346b724e5764556c33694c746d3856414a494a797a7658774e55372f56636766485154467a68313837764e6a6b526c42654c3073355976356b2b6738423543574a494c7270397569524a61594a7774692f67453d0a";
    private const string ResponseHex = "e2809420622e746573742035714f505241414141414272444d6b414d3477364865484e3259577a6554514f6a3874533975537054746d6c304f4f324438642f744f496645617577454a5345504867316a633135494f704c4a30626437396a4b694b41376f436e7957536f4c4d58596144773d3d0a";
    private const long Time = 1796000000;

    [Fact]
    public void Example_Request_ParsesVerifiesAndIsConsistentFromSizeOne()
    {
        var request = AddCheckpointRequest.Parse(Convert.FromHexString(RequestHex));
        var logKey = VerifierKey.Parse("a.test/dmd+dae4d5f1+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c");

        Assert.Equal(1, request.OldSize);
        Assert.True(request.Note.Verify(logKey).IsValid);
        var root1 = SHA256.HashData([0, .. "leaf 0"u8]);
        Assert.True(MerkleProof.VerifyConsistency(1, 2, request.ConsistencyProof, root1, request.Checkpoint.RootHash));
        Assert.Equal(Convert.FromHexString(RequestHex), request.Format());
    }

    [Fact]
    public void Example_Response_IsTheWitnessKeysCosignatureAtTheGivenTime()
    {
        var request = AddCheckpointRequest.Parse(Convert.FromHexString(RequestHex));
        using var witness = new CosignatureSigner("b.test", Enumerable.Repeat((byte)2, 32).ToArray());

        var response = new AddCheckpointResponse([witness.Sign(request.Note.Text, Time)]);

        Assert.Equal("b.test+e6a38f44+BIE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU", witness.Verifier.ToVerifierKey());
        Assert.Equal(ResponseHex, Convert.ToHexStringLower(response.Format()));
        var parsed = AddCheckpointResponse.Parse(Convert.FromHexString(ResponseHex));
        var verification = request.Note.WithSignatures(parsed.Cosignatures).Verify(witness.Verifier);
        Assert.Equal(Time, verification.Verified.Single().Timestamp);
    }

    [Fact]
    public void Example_ConflictBody_IsSizeAndNewline() => Assert.Equal("320a", Convert.ToHexStringLower(TreeSizeBody.Format(2)));
}
