// The sequencer's map update: one batch of new version-1 leaves (new addresses) applied to
// the label map of N addresses by the derivation rule of spec/map.md §6 (LabelMap.ApplyLeaves:
// each leaf checked, the batch merged as one new persistent version). Batch sizes: the
// default Directory:SequencerBatchSize (1024) and a small group commit (64).
using BenchmarkDotNet.Attributes;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;

namespace DarkMail.Directory.Benchmarks;

[MemoryDiagnoser]
public class MapUpdateBenchmarks
{
    private BenchDirectory directory = null!;
    private ReadOnlyMemory<byte>[] leaves = [];

    [Params(100_000, 1_000_000)]
    public int Addresses { get; set; }

    [Params(64, 1024)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        directory = BenchDirectory.Create(Addresses);
        var random = new Random(BenchDirectory.Seed + Batch);
        var timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        leaves = [.. Enumerable.Range(0, Batch).Select(_ => (ReadOnlyMemory<byte>)new LogLeaf(
            LeafEvent.Publish, timestamp, BenchDirectory.RandomBytes(random, 32), 1, BenchDirectory.RandomBytes(random, 32), BenchDirectory.RandomBytes(random, 32)).Encode())];
    }

    [GlobalCleanup]
    public void Cleanup() => directory.Dispose();

    [Benchmark(Description = "map update: apply a batch of new leaves")]
    public LabelMap ApplyBatch()
    {
        var map = directory.Map.ApplyLeaves(Addresses, leaves);
        return map.Count == Addresses + Batch ? map : throw new InvalidOperationException("A leaf of the batch was not applied.");
    }
}
