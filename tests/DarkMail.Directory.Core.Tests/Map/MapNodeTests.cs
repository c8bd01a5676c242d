using CsCheck;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;

namespace DarkMail.Directory.Core.Tests.Map;

public class MapNodeTests
{
    /// <summary>Checks the node invariants of spec/map.md §8 and returns (leaves, interiors).</summary>
    private static (int Leaves, int Interiors) CheckShape(MapNode? node, int top, byte[]? prefixOf = null)
    {
        switch (node)
        {
            case null:
                return (0, 0);
            case MapLeaf leaf:
                Assert.Equal(MapHash.Leaf(leaf.Label, leaf.Version, leaf.LeafIndex, leaf.LeafHash), leaf.Hash);
                return (1, 0);
        }

        var interior = (MapInterior)node;
        Assert.Equal(top, interior.Top);
        Assert.InRange(interior.Depth, top, 255);
        var path = MapInterior.LeftmostLabel(interior);
        Assert.Equal(MapHash.Raise(MapHash.Interior(interior.Left.Hash, interior.Right.Hash), path, interior.Depth, top), interior.Hash);
        Assert.All(Labels(interior.Left), l => Assert.Equal(0, l.Bit(interior.Depth)));
        Assert.All(Labels(interior.Right), l => Assert.Equal(1, l.Bit(interior.Depth)));
        Assert.All(Labels(interior), l => Assert.True(l.CommonPrefixLength(path) >= interior.Depth));
        var left = CheckShape(interior.Left, interior.Depth + 1);
        var right = CheckShape(interior.Right, interior.Depth + 1);
        return (left.Leaves + right.Leaves, left.Interiors + right.Interiors + 1);
    }

    private static IEnumerable<Bytes32> Labels(MapNode node) => node switch
    {
        MapLeaf leaf => [leaf.Label],
        MapInterior i => Labels(i.Left).Concat(Labels(i.Right)),
        _ => [],
    };

    [Fact]
    public void Shape_RandomBatches_NLeavesNMinus1InteriorsWithInvariants()
    {
        MapGen.Batches.Sample(input =>
        {
            var map = LabelMap.Empty;
            foreach (var batch in input.Batches)
            {
                map = map.With(batch);
                var (leaves, interiors) = CheckShape(map.RootNode, 0);
                Assert.Equal(map.Count, leaves);
                Assert.Equal(Math.Max(0, map.Count - 1), interiors);
            }
        }, iter: 200);
    }

    [Fact]
    public void Shape_LabelsSharing250Bits_OneInteriorPerSplitNotPerLevel()
    {
        var labels = Enumerable.Range(0, 64).Select(i => (byte[])[.. new byte[31], (byte)i]).ToList();

        var map = LabelMap.Empty.With(labels.Select(l => MapGen.Entry(l, 1, 0, 0)));

        Assert.Equal((64, 63), CheckShape(map.RootNode, 0));
        var root = Assert.IsType<MapInterior>(map.RootNode);
        Assert.Equal((0, 250), (root.Top, root.Depth));
        Assert.Equal(256, map.Prove(labels[5]).Depth);
        Assert.Equal(NaiveMap.Root(labels.Select(l => MapGen.Entry(l, 1, 0, 0))), map.Root);
    }

    [Fact]
    public void MoveTo_SameTop_SameNodeOtherTop_SameChildrenNewHash()
    {
        var map = LabelMap.Empty.With([MapGen.Entry([.. new byte[31], 0], 1, 0, 0), MapGen.Entry([.. new byte[31], 1], 1, 0, 0)]);
        var root = Assert.IsType<MapInterior>(map.RootNode);

        var moved = root.MoveTo(200);

        Assert.Same(root, root.MoveTo(0));
        Assert.Same(root.Left, moved.Left);
        Assert.Same(root.Right, moved.Right);
        Assert.Equal((200, 255), (moved.Top, moved.Depth));
        Assert.Equal(root.HashAt(200, MapInterior.LeftmostLabel(root)), moved.Hash);
        Assert.Equal(root.Hash, root.HashAt(0, default));
        Assert.Equal(MapHash.Interior(root.Left.Hash, root.Right.Hash), root.HashAt(255, default));
    }

    [Fact]
    public void With_UntouchedSubtrees_SharedWithOldVersion()
    {
        var left = Enumerable.Range(0, 8).Select(i => MapGen.Entry([(byte)i, .. new byte[31]], 1, i, 0)).ToList();
        var right = Enumerable.Range(0, 8).Select(i => MapGen.Entry([(byte)(0x80 | i), .. new byte[31]], 1, i, 0)).ToList();
        var map = LabelMap.Empty.With([.. left, .. right]);

        var next = map.With([MapGen.Entry(right[3].Label.ToArray(), 2, 99, 1)]);

        var before = Assert.IsType<MapInterior>(map.RootNode);
        var after = Assert.IsType<MapInterior>(next.RootNode);
        Assert.Same(before.Left, after.Left);
        Assert.NotSame(before.Right, after.Right);
    }
}
