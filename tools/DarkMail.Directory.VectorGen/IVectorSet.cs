using System.Text.Json.Nodes;

namespace DarkMail.Directory.VectorGen;

/// <summary>
/// One vector file under spec/vectors/. Implementations are found by reflection, so a
/// new format adds one class and nothing else. Output must be deterministic.
/// </summary>
public interface IVectorSet
{
    /// <summary>File name under spec/vectors/, e.g. <c>signets.json</c>.</summary>
    string FileName { get; }

    JsonObject Generate();
}
