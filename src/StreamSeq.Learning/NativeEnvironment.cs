using System.Runtime.InteropServices;

namespace StreamSeq.Learning;

/// <summary>
/// Sets environment variables where native libraries can read them.
/// </summary>
/// <remarks>
/// On Linux, .NET's <see cref="Environment.SetEnvironmentVariable(string, string?)"/> changes only the runtime's
/// managed copy of the environment; libtorch, oneDNN and OpenMP read the C library's copy with <c>getenv</c>. This
/// writes both, and only takes effect for settings that a native library reads after the call (most read them
/// once, when they are loaded or first used), so call it before libtorch is loaded.
/// </remarks>
public static partial class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> unless the process already has it; returns whether it set it.</summary>
    public static bool SetIfUnset(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            return false;
        }
        Environment.SetEnvironmentVariable(name, value);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            // overwrite = 0: a value the C library already holds (set before the process started) wins.
            if (setenv(name, value, 0) != 0)
            {
                return false;
            }
        }
        return true;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
