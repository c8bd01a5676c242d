// A server process started by a real-DNS fixture: a child of the test run whose output is
// kept (bounded) for failure messages, killed with its tree on dispose.
using System.Collections.Concurrent;
using System.Diagnostics;

namespace DarkMail.Directory.Tests.RealDns;

internal sealed class ChildProcess : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> log = new();

    private ChildProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
    }

    public string Name { get; }

    public bool HasExited => process.HasExited;

    public static ChildProcess Start(string name, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {file}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public string Describe() =>
        $"--- {Name} ({(process.HasExited ? $"exited {process.ExitCode}" : "running")}) ---\n{string.Join('\n', log)}";

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private void Add(string? line)
    {
        // Bounded: a chatty server cannot fill memory during a long run.
        if (line is not null && log.Count < 2000)
        {
            log.Enqueue(line);
        }
    }
}
