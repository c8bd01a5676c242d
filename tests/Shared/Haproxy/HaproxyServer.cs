// Debian's haproxy in front of directory replicas on a loopback port (issue 12: three
// replicas behind haproxy). The configuration is written to a temporary folder of its own and
// `haproxy -f <cfg> -db` runs as our child (-db: foreground, no daemon), so stopping it is
// killing that process. Round robin over the replicas, each health-checked with
// GET /log/checkpoint every 100 ms (down after 2 failures, up after 1 success). A request
// whose connection to a replica fails is retried on another one (retries + redispatch); an
// idempotent GET whose replica died mid-answer (empty or no response, 502-504) is retried on
// another one too (L7 retries), so a killed replica costs no client error for GETs. Other
// methods are retried only when the connection failed, never once a replica may have
// received them (http-request disable-l7-retry). A port found free can be taken before
// haproxy binds it; then haproxy exits and is started again on another port.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using DarkMail.Directory.Tests.Shared.Processes;

namespace DarkMail.Directory.Tests.Shared.Haproxy;

public sealed class HaproxyServer : IDisposable
{
    public const string Binary = "/usr/sbin/haproxy";

    private readonly Process process;
    private readonly string folder;
    private readonly StringBuilder output;
    private bool stopped;

    private HaproxyServer(Process process, string folder, Uri url, StringBuilder output)
    {
        this.process = process;
        this.folder = folder;
        this.output = output;
        Url = url;
    }

    /// <summary>The front end's base URL, ending in '/'.</summary>
    public Uri Url { get; }

    /// <summary>What haproxy wrote so far (warnings, servers going down and up).</summary>
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

    /// <summary>Balances over <paramref name="backends"/> (base URLs such as http://127.0.0.1:5000) until disposed.</summary>
    public static async Task<HaproxyServer> StartAsync(IReadOnlyList<string> backends, int attempts = 5)
    {
        ArgumentNullException.ThrowIfNull(backends);
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is not installed (scripts/test installs Debian's haproxy).");
        }

        for (var attempt = 1; ; attempt++)
        {
            var folder = System.IO.Directory.CreateTempSubdirectory("dmd-haproxy-").FullName;
            var port = ChildServer.FreePort();
            var config = Path.Combine(folder, "haproxy.cfg");
            File.WriteAllText(config, Config(port, backends));
            var start = new ProcessStartInfo(Binary)
            {
                ArgumentList = { "-f", config, "-db" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
                WorkingDirectory = folder,
            };
            var output = new StringBuilder();
            var child = new Process { StartInfo = start };
            child.OutputDataReceived += (_, e) => Append(output, e.Data);
            child.ErrorDataReceived += (_, e) => Append(output, e.Data);
            child.Start();
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            if (await WaitUntilServingAsync(child, url))
            {
                return new HaproxyServer(child, folder, url, output);
            }

            ChildServer.Stop(child);
            string log;
            lock (output)
            {
                log = output.ToString();
            }

            System.IO.Directory.Delete(folder, recursive: true);
            if (attempt >= attempts || !log.Contains("cannot bind", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"haproxy did not serve on port {port} (attempt {attempt}): {log}");
            }
        }
    }

    private static string Config(int port, IReadOnlyList<string> backends)
    {
        var servers = new StringBuilder();
        for (var i = 0; i < backends.Count; i++)
        {
            var backend = new Uri(backends[i]);
            servers.Append(CultureInfo.InvariantCulture, $"    server r{i} {backend.Host}:{backend.Port} check inter 100ms fall 2 rise 1\n");
        }

        return $$"""
            global
                maxconn 512

            defaults
                mode http
                timeout connect 1s
                timeout client 60s
                timeout server 60s
                timeout check 1s
                retries 3
                option redispatch 1
                retry-on all-retryable-errors

            frontend directory
                bind 127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}}
                default_backend replicas

            backend replicas
                balance roundrobin
                http-request disable-l7-retry unless METH_GET
                option httpchk
                http-check send meth GET uri /log/checkpoint
                http-check expect status 200
            {{servers}}
            """;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    // Our haproxy forwards to a replica, which answers its checkpoint.
    private static Task<bool> WaitUntilServingAsync(Process child, Uri url) => ChildServer.WaitUntilServingAsync(child, async http =>
    {
        using var response = await http.GetAsync(new Uri(url, "log/checkpoint"));
        return response.StatusCode == HttpStatusCode.OK;
    });

    public void Dispose()
    {
        if (!stopped)
        {
            stopped = true;
            ChildServer.Stop(process);
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }
}
