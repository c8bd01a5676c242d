// docs/performance.md "Micro-benchmarks": BenchmarkDotNet over the hot pieces of a lookup and
// a publication. `scripts/bench-micro [FILTER]` runs it in Release; any BenchmarkDotNet
// argument passes through (e.g. `--filter *Vrf* --job short`). Every job runs in this
// process (--inProcess is always added): no second build of a generated project, which the
// repository's artifacts layout and a loaded machine make slow and fragile.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Issue 12: `-- static-tiles [N]` measures the static tile writer once (it writes files).
if (args.Length > 0 && args[0] == "static-tiles")
{
    return await DarkMail.Directory.Benchmarks.StaticTilesBench.RunAsync(args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
}

string[] arguments = args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(DarkMail.Directory.Benchmarks.BenchDirectory).Assembly)
    .Run(arguments, DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary));
return 0;
