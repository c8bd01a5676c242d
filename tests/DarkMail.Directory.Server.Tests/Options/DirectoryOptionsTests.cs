using DarkMail.Directory.Server.Options;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Options;

public sealed class DirectoryOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://*:8080;https://*:8443", "http://localhost:8080/")]
    [InlineData("http://+:80", "http://localhost:80/")]
    [InlineData("http://0.0.0.0:5000/", "http://localhost:5000/")]
    [InlineData("http://[::]:5000", "http://localhost:5000/")]
    [InlineData(null, "http://localhost/")]
    [InlineData("", "http://localhost/")]
    public void DerivePublicUrl_FirstUrlWithWildcardHost_BecomesLocalhost(string? urls, string expected) =>
        Assert.Equal(expected, DirectoryOptions.DerivePublicUrl(urls));

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var options = new DirectoryOptions { PublicUrl = "http://127.0.0.1:8080/" };
        Assert.True(new DirectoryOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("Example.Test")]
    [InlineData("localhost")]
    [InlineData("bad domain")]
    public void Validate_BadDomain_FailsNamingTheSetting(string domain)
    {
        var result = new DirectoryOptionsValidator().Validate(null, new DirectoryOptions { Domain = domain, PublicUrl = "http://localhost/" });
        Assert.True(result.Failed);
        Assert.Contains("Directory:Domain", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.test/")]
    [InlineData("http://example.test/?q=1")]
    [InlineData("relative/path")]
    public void Validate_BadPublicUrl_Fails(string url)
    {
        var result = new DirectoryOptionsValidator().Validate(null, new DirectoryOptions { PublicUrl = url });
        Assert.Contains("Directory:PublicUrl", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0/")]
    [InlineData("http://localhost:0/")]
    public void Validate_PublicUrlOnPortZero_Passes(string url) =>
        Assert.True(new DirectoryOptionsValidator().Validate(null, new DirectoryOptions { PublicUrl = url }).Succeeded);

    [Fact]
    public async Task DatabaseCacheKiB_DefaultAndSet_EveryConnectionCapsItsPageCache()
    {
        var root = System.IO.Directory.CreateTempSubdirectory("dmd-cache-").FullName;
        try
        {
            using (var defaults = new TestSupport.DirectoryFactory(Path.Combine(root, "a")))
            {
                Assert.Equal(-256L, await defaults.Services.GetRequiredService<DarkMail.Directory.Server.Services.DirectoryLog>().Database.GetCacheSizeAsync());
            }

            using var set = new TestSupport.DirectoryFactory(Path.Combine(root, "b"), new Dictionary<string, string?> { ["Directory:DatabaseCacheKiB"] = "1000" });
            Assert.Equal(-1000L, await set.Services.GetRequiredService<DarkMail.Directory.Server.Services.DirectoryLog>().Database.GetCacheSizeAsync());
        }
        finally
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Validate_SignetLimitAboveHalfTheBody_Fails()
    {
        var result = new DirectoryOptionsValidator().Validate(null, new DirectoryOptions { PublicUrl = "http://localhost/", MaxRequestBytes = 1024, MaxSignetBytes = 1024 });
        Assert.Contains("Directory:MaxSignetBytes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KnownProxyNotAnIpAddress_FailsNamingIt()
    {
        var options = new DirectoryOptions { PublicUrl = "http://localhost/" };
        options.ForwardedHeaders.KnownProxies.AddRange(["10.0.0.1", "2001:db8::1", "proxy.example"]);

        var result = new DirectoryOptionsValidator().Validate(null, options);

        Assert.Equal("Directory:ForwardedHeaders:KnownProxies 'proxy.example' is not an IP address.", result.FailureMessage);
    }

    [Fact]
    public void DataAnnotations_OutOfRange_Fail()
    {
        var options = new DirectoryOptions { SequencerBatchSize = 0, CheckpointInterval = TimeSpan.Zero };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Equal(["CheckpointInterval", "SequencerBatchSize"], results.SelectMany(r => r.MemberNames).Order());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(999)]
    [InlineData(7_200_000)]
    public void DataAnnotations_CheckpointHeartbeatOutOfRange_FailsNamingIt(int milliseconds)
    {
        var options = new DirectoryOptions { CheckpointHeartbeat = TimeSpan.FromMilliseconds(milliseconds) };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.False(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Equal(["CheckpointHeartbeat"], results.SelectMany(r => r.MemberNames));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3600)]
    public void DataAnnotations_CheckpointHeartbeatAtItsBounds_Valid(int seconds)
    {
        var options = new DirectoryOptions { CheckpointHeartbeat = TimeSpan.FromSeconds(seconds) };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Equal(TimeSpan.FromMinutes(5), new DirectoryOptions().CheckpointHeartbeat);
    }

    [Fact]
    public void DataPath_Relative_ResolvedAgainstContentRoot()
    {
        var root = System.IO.Directory.CreateTempSubdirectory("dmd-root-").FullName;
        try
        {
            using var baseFactory = new TestSupport.DirectoryFactory(root + "/unused", new Dictionary<string, string?> { ["Directory:DataPath"] = "relative-data" });
            using var factory = baseFactory.WithWebHostBuilder(b => b.UseContentRoot(root));
            factory.CreateClient();
            var options = (Microsoft.Extensions.Options.IOptions<DirectoryOptions>)factory.Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<DirectoryOptions>))!;
            Assert.Equal(Path.Combine(root, "relative-data"), options.Value.DataPath);
            Assert.True(File.Exists(Path.Combine(root, "relative-data", "admin.token")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            System.IO.Directory.Delete(root, recursive: true);
        }
    }
}
