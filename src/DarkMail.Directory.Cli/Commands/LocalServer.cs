// spec/cli.md "bench crash": a directory server run as a child process on this machine
// (`dotnet <server dll>`), bound to port 0 on loopback: the port is the one Kestrel reports
// on its "Now listening on:" line, never one picked beforehand and bound later (another
// process could take it in between). The server is given no PublicUrl, so its descriptor
// and dx-record.txt name the port it bound (spec/server.md §2 PublicUrl, port 0): a remote
// that others find through DNS listens on port 0 too. Ready once it answers
// /log/checkpoint, its admin token is written and its dx-record.txt names the bound URL. Kill() is SIGKILL on Unix: the process gets no chance to flush or
// close anything, which is what a crash looks like. dmd never references the server: it
// only starts it, like an operator would.
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace DarkMail.Directory.Cli.Commands;

internal sealed class LocalServer : IDisposable
{
    private const string ListeningPrefix = "Now listening on: ";
    private const int TailLines = 40;

    private readonly Process process;
    private readonly Queue<string> tail = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalServer(Process process, string dataPath)
    {
        this.process = process;
        DataPath = dataPath;
    }

    public Uri Url { get; private set; } = null!;

    public string DataPath { get; }

    public int ProcessId => process.Id;

    public string TokenFile => Path.Combine(DataPath, "admin.token");

    /// <summary>The `_dx` record value the server wrote (it names <see cref="Url"/>).</summary>
    public string DxRecordFile => Path.Combine(DataPath, "dx-record.txt");

    public bool HasExited => process.HasExited;

    /// <summary>
    /// Starts <paramref name="serverDll"/> on http://127.0.0.1:0 with <paramref name="dataPath"/>
    /// and the extra <paramref name="settings"/> (`--Name value` pairs), and waits until it serves.
    /// </summary>
    public static async Task<LocalServer> StartAsync(string serverDll, string dataPath, IEnumerable<string> settings, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!File.Exists(serverDll))
        {
            throw CliException.Usage("usage.server-dll", $"the server dll {serverDll} does not exist (build src/DarkMail.Directory.Server first)");
        }

        System.IO.Directory.CreateDirectory(dataPath);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataPath,
        };
        foreach (var argument in (string[])[Path.GetFullPath(serverDll), "--urls", "http://127.0.0.1:0", "--Directory:DataPath", Path.GetFullPath(dataPath),
            "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var server = new LocalServer(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."), dataPath);
        try
        {
            server.process.OutputDataReceived += (_, e) => server.Line(e.Data);
            server.process.ErrorDataReceived += (_, e) => server.Line(e.Data);
            server.process.BeginOutputReadLine();
            server.process.BeginErrorReadLine();
            await server.WaitReadyAsync(timeout, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL, then waits until the process is gone.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
    }

    /// <summary>The last lines the server wrote (for a failure message).</summary>
    public string Tail()
    {
        lock (tail)
        {
            return string.Join('\n', tail);
        }
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        process.Dispose();
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (tail)
        {
            tail.Enqueue(line);
            if (tail.Count > TailLines)
            {
                tail.Dequeue();
            }
        }

        var at = line.IndexOf(ListeningPrefix, StringComparison.Ordinal);
        if (at >= 0 && Uri.TryCreate(line[(at + ListeningPrefix.Length)..].Trim(), UriKind.Absolute, out var url))
        {
            listening.TrySetResult(url);
        }
    }

    // A record left by an earlier start on the same data names another port.
    private static bool NamesUrl(string recordFile, Uri url)
    {
        try
        {
            return File.Exists(recordFile) && File.ReadAllText(recordFile).Contains(" dir=" + url.AbsoluteUri, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var exited = process.WaitForExitAsync(deadline.Token);
        try
        {
            var first = await Task.WhenAny(listening.Task, exited).ConfigureAwait(false);
            if (first != listening.Task)
            {
                await exited.ConfigureAwait(false);
                throw new CliException(ExitCodes.Internal, "bench.server-exited", string.Create(CultureInfo.InvariantCulture,
                    $"the server exited with {process.ExitCode} before listening: {Tail().ReplaceLineEndings(" | ")}"));
            }

            Url = await listening.Task.ConfigureAwait(false);
            using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
            while (true)
            {
                if (process.HasExited)
                {
                    throw new CliException(ExitCodes.Internal, "bench.server-exited", string.Create(CultureInfo.InvariantCulture,
                        $"the server exited with {process.ExitCode}: {Tail().ReplaceLineEndings(" | ")}"));
                }

                try
                {
                    using var response = await http.GetAsync(new Uri("log/checkpoint", UriKind.Relative), deadline.Token).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK && File.Exists(TokenFile) && NamesUrl(DxRecordFile, Url))
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Listening, not serving yet.
                }
                catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
                {
                    // One slow answer on a loaded machine: ask again.
                }

                await Task.Delay(50, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Internal, "bench.server-timeout", string.Create(CultureInfo.InvariantCulture,
                $"the server did not serve within {timeout.TotalSeconds:F0} s: {Tail().ReplaceLineEndings(" | ")}"));
        }
    }
}
