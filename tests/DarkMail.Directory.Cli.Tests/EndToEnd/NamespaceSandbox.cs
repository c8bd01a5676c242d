// spec/openpgp.md §7: a private world for GnuPG's own WKD fetch, touching nothing on the
// machine. WKD is HTTPS on port 443 of openpgpkey.<domain>, and dirmngr trusts only the
// system's CA bundle (and /etc/gnupg/trusted-certs), so the real directory server runs in
// its own network and mount namespaces (`unshare --mount --net`, propagation private):
// loopback brought up, a hosts file naming openpgpkey.example.test 127.0.0.1 bind-mounted
// over /etc/hosts, a throwaway test CA bind-mounted over GnuTLS's trust store
// /etc/ssl/certs/ca-certificates.crt, and Kestrel listening on http://127.0.0.1:8080 and
// https://127.0.0.1:443 with a leaf certificate that CA issued. Commands that must reach
// the server (dmd, gpg with its dirmngr) run inside with `nsenter --net --mount`. The
// binds and the port exist only in those namespaces, which end with their last process.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DarkMail.Directory.Tests.Shared.Processes;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class NamespaceSandbox : IDisposable
{
    /// <summary>GnuTLS's system trust store on Debian, which dirmngr's HTTP_FLAG_TRUST_SYS reads.</summary>
    public const string TrustStore = "/etc/ssl/certs/ca-certificates.crt";

    public const string HttpUrl = "http://127.0.0.1:8080";

    private static readonly Lazy<string?> Unavailable = new(Probe);

    private readonly ListeningProcess server;

    private NamespaceSandbox(ListeningProcess server, string dataPath)
    {
        this.server = server;
        DataPath = dataPath;
    }

    public string DataPath { get; }

    public string TokenFile => Path.Combine(DataPath, "admin.token");

    /// <summary>Why the sandbox cannot be made here (not root, no unshare, no ip, no trust store), or null.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>
    /// Starts the directory server (data in <paramref name="dataPath"/>) in new namespaces where
    /// <paramref name="hostNames"/> resolve to 127.0.0.1 and only a new test CA is trusted; the server
    /// answers HTTPS on port 443 with a certificate for those names.
    /// </summary>
    public static async Task<NamespaceSandbox> StartAsync(string folder, string dataPath, params string[] hostNames)
    {
        var hosts = Path.Combine(folder, "hosts");
        await File.WriteAllTextAsync(hosts, $"127.0.0.1 localhost\n127.0.0.1 {string.Join(' ', hostNames)}\n");
        var (caPem, leafPem, leafKey) = WriteCertificates(folder, hostNames);
        var child = await ListeningProcess.StartAsync(
            url =>
            {
                var start = new ProcessStartInfo("unshare")
                {
                    ArgumentList =
                    {
                        "--mount", "--net", "--propagation", "private", "--", "sh", "-c",
                        "ip link set lo up && mount --bind \"$1\" /etc/hosts && mount --bind \"$2\" " + TrustStore + " && shift 2 && exec \"$@\"",
                        "sandbox", hosts, caPem,
                        "dotnet", ServerProcess.ServerDll, "--urls", url + ";https://127.0.0.1:443",
                        "--Kestrel:Certificates:Default:Path", leafPem, "--Kestrel:Certificates:Default:KeyPath", leafKey,
                        "--Directory:DataPath", dataPath, "--Directory:CheckpointInterval", "00:00:00.100",
                    },
                    WorkingDirectory = dataPath,
                    Environment = { ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning" },
                };
                return start;
            },
            HttpUrl,
            attempts: 1);
        var sandbox = new NamespaceSandbox(child, dataPath);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(sandbox.TokenFile))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                var output = child.Output;
                sandbox.Dispose();
                throw new TimeoutException($"The sandboxed server wrote no admin token within 60 seconds: {output}");
            }

            await Task.Delay(100);
        }

        return sandbox;
    }

    /// <summary>Runs <paramref name="file"/> inside the sandbox's network and mount namespaces.</summary>
    public (int ExitCode, string Out, string Err) Run(string file, params string[] args) =>
        ToolRun.Run("nsenter", ["--target", server.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--net", "--mount", "--", file, .. args]);

    /// <summary>Runs dmd (this test's build of it) inside the sandbox.</summary>
    public (int ExitCode, string Out, string Err) Dmd(params string[] args) =>
        Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "dmd.dll"), .. args]);

    public void Dispose() => server.Dispose();

    private static (string Ca, string Leaf, string Key) WriteCertificates(string folder, string[] hostNames)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=dmd WKD test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=" + hostNames[0], leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in hostNames)
        {
            names.AddDnsName(name);
        }

        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var leaf = leafRequest.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(12));

        var paths = (Path.Combine(folder, "ca.pem"), Path.Combine(folder, "leaf.pem"), Path.Combine(folder, "leaf.key"));
        File.WriteAllText(paths.Item1, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(paths.Item2, leaf.ExportCertificatePem() + "\n");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var key = new StreamWriter(paths.Item3, options))
        {
            key.Write(leafKey.ExportPkcs8PrivateKeyPem() + "\n");
        }

        return paths;
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network and mount namespaces are Linux only";
        }

        if (!File.Exists(TrustStore))
        {
            return $"{TrustStore} (GnuTLS's trust store, which dirmngr reads) does not exist to bind the test CA over";
        }

        try
        {
            var info = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in (string[])["--mount", "--net", "--propagation", "private", "--", "sh", "-c", "ip link set lo up && mount --bind /etc/hosts /etc/hosts"])
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"unshare --mount --net is not permitted here (it needs root or CAP_SYS_ADMIN, and ip from iproute2): {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"unshare cannot be run: {e.Message}";
        }
    }
}

/// <summary>A fact skipped, with the reason, where the namespace sandbox cannot be made.</summary>
public sealed class NamespaceSandboxFactAttribute : FactAttribute
{
    public NamespaceSandboxFactAttribute()
    {
        if (NamespaceSandbox.WhyUnavailable is { } why)
        {
            Skip = why;
        }
    }
}
