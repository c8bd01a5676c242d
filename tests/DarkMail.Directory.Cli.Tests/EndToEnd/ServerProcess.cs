// The real directory server (src/DarkMail.Directory.Server) as a child process on a free
// loopback port with its own data folder, started as the README starts it. Its build
// output sits beside this test project's under the artifacts folder.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class ServerProcess : IDisposable
{
    private readonly Process process;

    private ServerProcess(Process process, string url, string dataPath)
    {
        this.process = process;
        Url = url;
        DataPath = dataPath;
    }

    public string Url { get; }

    public string DataPath { get; }

    public string TokenFile => Path.Combine(DataPath, "admin.token");

    public static string ServerDll
    {
        get
        {
            // <artifacts>/bin/DarkMail.Directory.Cli.Tests/<config>/ → <artifacts>/bin/DarkMail.Directory.Server/<config>/
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(here.Parent!.Parent!.FullName, "DarkMail.Directory.Server", here.Name, "DarkMail.Directory.Server.dll");
        }
    }

    public static async Task<ServerProcess> StartAsync(string dataPath)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { ServerDll, "--urls", url, "--Directory:DataPath", dataPath, "--Directory:CheckpointInterval", "00:00:00.100" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataPath,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, url, dataPath);
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                server.Dispose();
                throw new InvalidOperationException($"The server exited with {process.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync("/log/checkpoint");
                if (response.StatusCode == HttpStatusCode.OK && File.Exists(server.TokenFile))
                {
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(100);
        }

        server.Dispose();
        throw new TimeoutException("The server did not start within 60 seconds.");
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
