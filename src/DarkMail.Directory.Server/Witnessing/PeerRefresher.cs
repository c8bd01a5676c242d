// spec/witnessing.md "Which logs": fetches the peers' descriptors at start and then every
// PeerRefreshInterval; sooner (PeerRetryInterval) while some peer failed. Never fatal.
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Witnessing;

public sealed class PeerRefresher(PeerLogs peers, IOptions<WitnessingOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (peers.PeerUrls.Count == 0)
        {
            return;
        }

        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var failed = await peers.RefreshAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(failed > 0 ? settings.PeerRetryInterval : settings.PeerRefreshInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
