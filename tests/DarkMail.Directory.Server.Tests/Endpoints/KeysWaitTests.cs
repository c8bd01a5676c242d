using System.Net;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class KeysWaitTests
{
    [Fact]
    public async Task Submit_WaitWithoutSequencer_Returns503NotCoveredYetAndKeepsTheSubmission()
    {
        using var factory = new DirectoryFactory(
            overrides: new Dictionary<string, string?> { ["Directory:MaxWait"] = "00:00:00.300" },
            configureServices: services =>
            {
                var worker = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(LogWorker));
                services.Remove(worker);
            });
        var client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
        using var user = TestUser.Create("wait@example.test");
        var code = await client.EnrollAsync(user.Address);
        using (var response = await client.SubmitAsync(user.Publish(), code))
        {
            await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "not-covered-yet");
        }

        // Stored: the same version again is a conflict, and the sequencer logs it once it runs.
        using (var again = await client.SubmitAsync(user.Publish(), code, wait: false))
        {
            await Problem.AssertAsync(again, HttpStatusCode.Conflict, "version-conflict");
        }

        var log = factory.Services.GetRequiredService<DirectoryLog>();
        Assert.Equal(1, await log.Sequencer.IntegrateAsync(10));
        await log.Checkpointer.CheckpointAsync();
        DirectoryClient.Verify(await client.GetKeyAsync(user.Address), await client.GetDescriptorAsync());
    }
}
