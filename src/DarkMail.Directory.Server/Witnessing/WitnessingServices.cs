// spec/server.md "Settings", spec/witnessing.md: registers witnessing with one line in
// DirectoryHost. Peers and witnesses are called through PeerHttp (DirectoryHttpClient on a
// handler that follows no redirect, one pipeline per host). Invalid witness settings (a URL that is not absolute http(s), a key that
// is not a cosigner vkey, an advised quorum above the witness count) stop start-up.
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Storage.Witnessing;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Server.Witnessing;

public static class WitnessingServices
{
    public static IServiceCollection AddWitnessing(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<WitnessingOptions>()
            .BindConfiguration(WitnessingOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Peers.All(IsHttpUrl), "Every Directory:Witnessing:Peers entry must be an absolute http or https URL.")
            .ValidateOnStart();
        services.AddOptions<LogWitnessesOptions>()
            .BindConfiguration(LogWitnessesOptions.Section)
            .Validate(o => o.Witnesses.All(w => IsHttpUrl(w.Url)), "Every Directory:Witnesses entry needs an absolute http or https Url.")
            .Validate(o => o.Witnesses.All(w => IsCosignerKey(w.CosignerKey)), "Every Directory:Witnesses entry needs a CosignerKey that is a cosignature/v1 (type 0x04) verifier key.")
            .Validate(o => o.Witnesses.Select(w => w.CosignerKey).Distinct(StringComparer.Ordinal).Count() == o.Witnesses.Count, "A witness is listed twice in Directory:Witnesses.")
            .ValidateOnStart();
        services.AddOptions<WitnessingOptions>()
            // Read from configuration, not IOptions<LogWitnessesOptions>: a bad witness list
            // is reported by its own validation, once.
            .Validate<IConfiguration>(
                (o, configuration) => o.AdvisedQuorum <= configuration.GetSection(LogWitnessesOptions.Section + ":Witnesses").GetChildren()
                    .Select(w => (w["CosignerKey"] ?? string.Empty).Split('+')[0]).Distinct(StringComparer.Ordinal).Count(),
                "Directory:Witnessing:AdvisedQuorum must not exceed the number of distinct witnesses in Directory:Witnesses.");

        services.AddHttpClient(PeerHttp.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => DarkMail.Directory.Client.Http.DirectoryHttpClient.CreateHandler());
        services.AddSingleton<PeerHttp>();
        services.AddSingleton<PeerLogs>();
        services.AddSingleton(sp => new WitnessStore(sp.GetRequiredService<DirectoryLog>().Database, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CheckpointWitness>();
        services.AddSingleton<CosignedCheckpoints>();
        services.AddHostedService<PeerRefresher>();
        services.AddHostedService<CosignatureCollector>();
        return services;
    }

    private static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool IsCosignerKey(string? vkey) => VerifierKey.TryParse(vkey, out var verifier) && verifier is CosignatureVerifier;
}
