// spec/cli.md "Errors": a call to a directory that did not yield a usable answer. The base
// type covers transport and protocol faults (oversized body, wrong content, redirect to
// another scheme); DirectoryProblemException carries an RFC 9457 answer from the server.
using DarkMail.Directory.Client.Api;

namespace DarkMail.Directory.Client.Http;

public class DirectoryHttpException : Exception
{
    public DirectoryHttpException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    public DirectoryHttpException()
        : this("http.error", "The directory call failed.")
    {
    }

    public DirectoryHttpException(string message)
        : this("http.error", message)
    {
    }

    public DirectoryHttpException(string message, Exception inner)
        : this("http.error", message, inner)
    {
    }

    /// <summary>Stable dotted code (spec/cli.md), e.g. <c>http.too-large</c>.</summary>
    public string Code { get; }

    /// <summary>The HTTP status of the answer, when there was one.</summary>
    public int? Status { get; init; }
}

/// <summary>
/// An RFC 9457 problem details answer (spec/api.md "Errors"). <see cref="Name"/> is the last
/// segment of the problem type URI (<c>version-conflict</c>), <see cref="FormatCode"/> the
/// parser code the server added, if any.
/// </summary>
public sealed class DirectoryProblemException : DirectoryHttpException
{
    public const string TypePrefix = "https://darkmail.directory/problems/";

    public DirectoryProblemException(string type, int status, string? title, string? detail, string? formatCode, TimeSpan? retryAfter)
        : base("problem." + NameOf(type), $"{status} {NameOf(type)}: {OneLine(detail ?? title ?? "no detail")}")
    {
        Type = type;
        Status = status;
        Title = title;
        Detail = detail;
        FormatCode = formatCode;
        RetryAfter = retryAfter;
    }

    public DirectoryProblemException()
        : this("about:blank", 500, null, null, null, null)
    {
    }

    public DirectoryProblemException(string message)
        : this("about:blank", 500, null, message, null, null)
    {
    }

    public DirectoryProblemException(string message, Exception inner)
        : base("problem.about:blank", message, inner)
    {
        Type = "about:blank";
        Status = 500;
    }

    public string Type { get; }

    /// <summary>The problem name from spec/api.md, or the whole type when it is not one of ours.</summary>
    public string Name => NameOf(Type);

    public string? Title { get; }

    public string? Detail { get; }

    /// <summary>The <c>code</c> member: a parser code such as <c>signet.field-order</c>.</summary>
    public string? FormatCode { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>The <c>absence</c> member of a 404 key answer, when it had a readable one (not yet verified).</summary>
    public AbsenceProof? Absence { get; init; }

    internal static string NameOf(string type) =>
        type.StartsWith(TypePrefix, StringComparison.Ordinal) ? type[TypePrefix.Length..] : type;

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
