namespace DarkMail.Directory.Transparency;

/// <summary>
/// Thrown by a strict parser when its input is not a well-formed instance of the format.
/// <see cref="Code"/> is stable (spec/ lists every code a parser can report) and is what
/// the HTTP API maps to a problem type; <see cref="Exception.Message"/> is one line for people.
/// </summary>
public sealed class InvalidFormatException : FormatException
{
    public InvalidFormatException(string code, string message)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
    }

    public InvalidFormatException()
        : this("format.invalid", "The input is not well formed.")
    {
    }

    public InvalidFormatException(string message)
        : this("format.invalid", message)
    {
    }

    public InvalidFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "format.invalid";
    }

    /// <summary>Stable, dotted error code, e.g. <c>signet.field-order</c>.</summary>
    public string Code { get; }
}
