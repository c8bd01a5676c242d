// spec/server.md §2 "PublicUrl": the URL this directory names in its _dx record and its
// descriptor. A PublicUrl whose port is 0 (the default for `--urls http://127.0.0.1:0`)
// stands for the port the server bound: known once Kestrel listens, which is before any
// request is served, so the descriptor and dx-record.txt always name a port that answers.
// A server that others must find by URL can so bind port 0 instead of a port picked free
// beforehand and bound later, which another process may take in between.
using DarkMail.Directory.Server.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed class PublicUrl(IOptions<DirectoryOptions> options, IServer? server = null)
{
    private Uri? resolved;

    /// <summary>True when the configured URL's port is 0: the bound port replaces it once the server listens.</summary>
    public bool FollowsBoundPort => Configured.Port == 0;

    private Uri Configured => new(options.Value.PublicUrl!);

    /// <summary>
    /// The public URL. With port 0, the configured URL with the port of the first address the
    /// server listens on with the same scheme; <see cref="InvalidOperationException"/> before
    /// the server has bound one.
    /// </summary>
    public Uri Get()
    {
        if (Volatile.Read(ref resolved) is { } known)
        {
            return known;
        }

        var configured = Configured;
        if (configured.Port != 0)
        {
            Volatile.Write(ref resolved, configured);
            return configured;
        }

        var bound = server?.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri : null)
            .FirstOrDefault(u => u is not null && u.Port != 0 && string.Equals(u.Scheme, configured.Scheme, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Directory:PublicUrl {configured} names port 0, and the server listens on no {configured.Scheme} port yet.");
        var url = new UriBuilder(configured) { Port = bound.Port }.Uri;
        Volatile.Write(ref resolved, url);
        return url;
    }
}
