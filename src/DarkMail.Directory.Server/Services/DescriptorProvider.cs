// spec/descriptor.md, spec/server.md "Descriptor": the signed descriptor served at
// /.well-known/dx-directory. Signed once and kept; signed again when a day has passed,
// so it never comes within six days of its seven-day expiry.
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Witnessing;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed class DescriptorProvider(IOptions<DirectoryOptions> options, DirectoryKeys keys, TimeProvider time,
    IOptions<LogWitnessesOptions>? witnesses = null, IOptions<WitnessingOptions>? witnessing = null, PublicUrl? publicUrl = null)
{
    private readonly PublicUrl url = publicUrl ?? new PublicUrl(options);

    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromDays(1);

    private readonly Lock gate = new();
    private Signed? current;

    /// <summary>The wire form (spec/descriptor.md), valid now.</summary>
    public byte[] Get()
    {
        var now = time.GetUtcNow();
        var cached = Volatile.Read(ref current);
        if (cached is not null && now >= cached.Issued && now < cached.Issued + RefreshAfter)
        {
            return cached.Wire;
        }

        lock (gate)
        {
            if (current is { } again && now >= again.Issued && now < again.Issued + RefreshAfter)
            {
                return again.Wire;
            }

            var settings = options.Value;
            var issued = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
            var payload = new DescriptorPayload(
                settings.Domain,
                url.Get(),
                [keys.PokPublicKey],
                keys.LogSigner.Verifier.ToVerifierKey(),
                keys.Vrf.PublicKey.Export(),
                keys.Witness.Verifier.ToVerifierKey(),
                // spec/witnessing.md "Advice": the configured witnesses and the advised quorum.
                new WitnessPolicyAdvice(witnessing?.Value.AdvisedQuorum ?? 0, witnesses?.Value.Witnesses.Select(w => w.CosignerKey) ?? []),
                new DescriptorLimits(settings.MaxRequestBytes, settings.MaxSignetBytes, settings.LookupsPerMinute, settings.SubmissionsPerMinute),
                issued,
                issued + Lifetime)
            {
                // spec/server.md "Static tiles": where full tiles and bundles are also served.
                TilesUrl = string.IsNullOrEmpty(settings.TilesUrl) ? null : new Uri(settings.TilesUrl),
            };
            var wire = Descriptor.Sign(payload, keys.Pok).ToUtf8Json();
            Volatile.Write(ref current, new Signed(issued, wire));
            return wire;
        }
    }

    private sealed record Signed(DateTimeOffset Issued, byte[] Wire);
}
