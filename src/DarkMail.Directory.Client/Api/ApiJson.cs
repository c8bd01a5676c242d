// spec/api.md: the JSON wire contract shared by the server and every client. Binary
// values are base64 (System.Text.Json's byte[] encoding); names are snake_case.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DarkMail.Directory.Client.Api;

public static class ApiJson
{
    /// <summary>Options for every request and response body of the v1 API.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            MaxDepth = 16,
            // Numbers are JSON numbers: the web defaults also accept "12" for 12, which
            // would make every integer "integer or string" in the contract.
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
