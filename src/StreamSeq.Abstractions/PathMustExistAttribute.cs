using System.ComponentModel.DataAnnotations;

namespace StreamSeq;

/// <summary>
/// Validation of a path option before the pipeline starts: the file (or directory) must exist, resolved
/// against the pipeline's base directory. <c>"-"</c> (standard input or output) passes when allowed.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PathMustExistAttribute : Attribute
{
    /// <summary>Whether <c>"-"</c> (standard input/output) is accepted.</summary>
    public bool AllowStdio { get; init; }

    /// <summary>Whether a directory is expected instead of a file.</summary>
    public bool Directory { get; init; }

    /// <summary>Checks a value; returns an error message or null.</summary>
    public string? Check(string? value, string baseDirectory)
    {
        if (string.IsNullOrEmpty(value) || (AllowStdio && value == "-"))
        {
            return null;
        }
        string full;
        try
        {
            full = Path.GetFullPath(value, baseDirectory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"'{value}' is not a valid path ({e.Message})";
        }
        var exists = Directory ? System.IO.Directory.Exists(full) : File.Exists(full);
        return exists ? null : $"{(Directory ? "directory" : "file")} '{value}' does not exist (looked at {full})";
    }
}

/// <summary>Marks an option as required in the catalog and schema; a missing value is a validation error.</summary>
public sealed class RequiredOptionAttribute : RequiredAttribute
{
}
