// docs/performance.md "Micro-benchmarks": BenchmarkDotNet over the hot pieces of a lookup and
// a publication. `scripts/bench-micro [FILTER]` runs it in Release; any BenchmarkDotNet
// argument passes through (e.g. `--filter *Vrf* --job short`). The benchmarks run in this
// process (in-process toolchain): no second build of a generated project, which the
// repository's artifacts layout and a loaded machine make slow and fragile.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(DarkMail.Directory.Benchmarks.BenchDirectory).Assembly).Run(args, config);
