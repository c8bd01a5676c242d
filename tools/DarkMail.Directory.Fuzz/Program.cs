// The fuzz driver (spec/fuzzing.md). scripts/fuzz builds it, instruments the project's
// assemblies with SharpFuzz and runs `run TARGET` under afl-fuzz.
//   list                          the target names, one a line
//   seeds OUT VECTORS...          writes OUT/<target>/<n> seed files from the vector folders
//   run TARGET                    the AFL++ loop (SharpFuzz fork server); one input when not under afl-fuzz
//   replay TARGET PATH...         runs the target on each file (or each file of a folder);
//                                 prints every failure with its exception, exit 1 if any
using DarkMail.Directory.Fuzz;

return args switch
{
    ["list"] => List(),
    ["seeds", var output, .. var folders] when folders.Length > 0 => Seeds(output, folders),
    ["run", var name] => Run(name),
    ["replay", var name, .. var paths] when paths.Length > 0 => Replay(name, paths),
    _ => Usage(),
};

static int List()
{
    foreach (var target in Targets.All)
    {
        Console.WriteLine(target.Name);
    }

    return 0;
}

static int Seeds(string output, string[] folders)
{
    var vectors = new Vectors(folders);
    foreach (var target in Targets.All)
    {
        var folder = Path.Combine(output, target.Name);
        Directory.CreateDirectory(folder);
        var count = 0;
        foreach (var seed in Corpus.Seeds(target, vectors))
        {
            File.WriteAllBytes(Path.Combine(folder, count.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)), seed);
            count++;
        }

        Console.WriteLine($"{target.Name}: {count} seeds");
        if (count == 0)
        {
            Console.Error.WriteLine($"{target.Name}: no seeds from {string.Join(", ", folders)}");
            return 1;
        }
    }

    return 0;
}

static int Run(string name)
{
    if (Targets.Find(name) is not { } target)
    {
        return Unknown(name);
    }

    // In-process (persistent) loop: about four times the executions of Fuzzer.OutOfProcess
    // here. An escaping exception is reported to AFL++ as a crash and the loop goes on; a
    // death of the process (a stack overflow) stops afl-fuzz, and scripts/fuzz fails with its log.
    SharpFuzz.Fuzzer.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target.Run(buffer.ToArray());
    });
    return 0;
}

static int Replay(string name, string[] paths)
{
    if (Targets.Find(name) is not { } target)
    {
        return Unknown(name);
    }

    var files = paths.SelectMany<string, string>(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order(StringComparer.Ordinal) : new[] { p }).ToList();
    var failed = 0;
    foreach (var file in files)
    {
        if (Corpus.Failure(target, File.ReadAllBytes(file)) is { } failure)
        {
            failed++;
            Console.WriteLine($"{file}: {failure.GetType().FullName}: {failure.Message}");
            Console.WriteLine(failure.StackTrace);
        }
    }

    Console.WriteLine($"{target.Name}: {files.Count} inputs, {failed} failed");
    return failed == 0 ? 0 : 1;
}

static int Unknown(string name)
{
    Console.Error.WriteLine($"No fuzz target '{name}'. Targets: {string.Join(", ", Targets.All.Select(t => t.Name))}.");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: DarkMail.Directory.Fuzz list | seeds OUT VECTORS... | run TARGET | replay TARGET PATH...");
    return 2;
}
