using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Core.Tests.Leaves;

namespace DarkMail.Directory.Core.Tests.Submissions;

public class ChainLinkTests
{
    [Fact]
    public void OfLeaf_RotateWithCustody_FieldsAreTheLeafs()
    {
        var label = TestLeaves.Label("link");
        using var previous = TestLeaves.Key("link-1");
        using var key = TestLeaves.Key("link-2");
        var bytes = TestLeaves.Raw(LeafEvent.Rotate, TestLeaves.T0, label, 2, key, previous);
        var leaf = LogLeaf.Decode(bytes);

        var link = ChainLink.OfLeaf(bytes);

        Assert.Equal(LeafEvent.Rotate, link.Event);
        Assert.Equal(2u, link.Version);
        Assert.Equal(label, link.Label.ToArray());
        Assert.Equal(leaf.SigningKey.ToArray(), link.SigningKey.ToArray());
        Assert.Equal(leaf.BodyHash.ToArray(), link.BodyHash.ToArray());
        Assert.True(link.HasCustody);
        Assert.Equal(leaf.CustodySignature.ToArray(), link.CustodySignature.ToArray());
    }

    [Fact]
    public void OfLeaf_PublishWithoutCustody_HasNoCustody()
    {
        using var key = TestLeaves.Key("link-1");
        var link = ChainLink.OfLeaf(TestLeaves.Raw(LeafEvent.Publish, TestLeaves.T0, TestLeaves.Label("link"), 1, key, null));

        Assert.False(link.HasCustody);
        Assert.True(link.CustodySignature.IsEmpty);
    }
}
