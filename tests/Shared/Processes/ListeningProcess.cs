// A real server child process on a loopback port, started without the "free port, bound
// later" race: a port found free can be taken by another process before the child binds
// it, and then an HTTP probe may even reach that other server. So the port counts as ours
// only once our own child prints Kestrel's "Now listening on: <url>"; a child that exits
// first (the port was taken: "address already in use") is started again on another port.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DarkMail.Directory.Tests.Shared.Processes;

public sealed class ListeningProcess : IDisposable
{
    private readonly StringBuilder output;

    private ListeningProcess(Process process, string url, StringBuilder output)
    {
        Process = process;
        Url = url;
        this.output = output;
    }

    public Process Process { get; }

    /// <summary>The URL the child listens on, without a trailing slash.</summary>
    public string Url { get; }

    /// <summary>Everything the child wrote so far (stdout and stderr, line by line).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="startInfo"/>(url) on a fresh loopback port until the child
    /// listens on it (at most <paramref name="attempts"/> ports), or on exactly
    /// <paramref name="url"/> when given (a restart on the same address).
    /// </summary>
    public static async Task<ListeningProcess> StartAsync(Func<string, ProcessStartInfo> startInfo, string? url = null, int attempts = 5)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        for (var attempt = 1; ; attempt++)
        {
            var candidate = url ?? $"http://127.0.0.1:{CandidatePort()}";
            var started = await TryStartAsync(startInfo(candidate), candidate);
            if (started.Process is not null)
            {
                return started.Process;
            }

            if (url is not null || attempt >= attempts || !started.PortTaken)
            {
                throw new InvalidOperationException($"The server did not listen on {candidate} (attempt {attempt}): {started.Output}");
            }
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
        }

        Process.Dispose();
    }

    private static async Task<(ListeningProcess? Process, bool PortTaken, string Output)> TryStartAsync(ProcessStartInfo start, string url)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult();
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.Contains("Now listening on: " + url, StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ListeningProcess(process, url, output);

        // Generous: the machine may be loaded; either event ends the wait at once.
        var first = await Task.WhenAny(listening.Task, exited.Task, Task.Delay(TimeSpan.FromSeconds(120)));
        if (first == listening.Task)
        {
            return (server, false, string.Empty);
        }

        if (first == exited.Task)
        {
            process.WaitForExit();
        }

        var text = server.Output;
        server.Dispose();
        var taken = first == exited.Task && text.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
        return (null, taken, text);
    }

    private static int CandidatePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
