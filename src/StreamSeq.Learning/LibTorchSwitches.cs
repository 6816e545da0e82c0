using System.Runtime.InteropServices;

namespace StreamSeq.Learning;

/// <summary>
/// libtorch's process-wide switches that TorchSharp 0.107 does not expose, called through libtorch_cpu's own
/// exported C++ entry points (<c>at::globalContext()</c> and <c>at::Context</c>'s members).
/// </summary>
/// <remarks>
/// A member function of <c>at::Context</c> is an ordinary function whose first argument is the context's address on
/// the x86-64 System V and Windows x64 ABIs, so a plain function pointer calls it. The symbols are looked up in the
/// libtorch_cpu that TorchSharp has already loaded (the loader finds it again by its soname), never in a second copy.
/// </remarks>
internal static unsafe class LibTorchSwitches
{
    private static readonly Lazy<Entry?> Entries = new(Resolve);

    /// <summary>Whether libtorch may use oneDNN (MKL-DNN) kernels, e.g. for float convolutions; null when the switch cannot be reached.</summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            if (Entries.Value is not { } entry)
            {
                return null;
            }
            return entry.GetOneDnn(entry.Context()) != 0;
        }
    }

    /// <summary>Turns libtorch's use of oneDNN on or off for the whole process; returns false when the switch cannot be reached.</summary>
    public static bool TrySetOneDnn(bool enabled)
    {
        if (Entries.Value is not { } entry)
        {
            return false;
        }
        entry.SetOneDnn(entry.Context(), enabled ? (byte)1 : (byte)0);
        return entry.GetOneDnn(entry.Context()) == (enabled ? 1 : 0);
    }

    /// <summary>
    /// Makes libtorch's C++ logging honour <c>TORCH_CPP_LOG_LEVEL</c>. Python's torch calls <c>c10::initLogging()</c> at
    /// import; a C++ host such as TorchSharp never does, so without this the variable is ignored. Returns false when
    /// the entry point cannot be reached.
    /// </summary>
    public static bool TryApplyLogLevelFromEnvironment()
    {
        foreach (var name in new[] { "libc10.so", "libc10.dylib", "c10.dll" })
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "_ZN3c1011initLoggingEv", out var initLogging))
            {
                ((delegate* unmanaged<void>)initLogging)();
                return true;
            }
        }
        return false;
    }

    private static Entry? Resolve()
    {
        foreach (var name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll", "libtorch_cpu" })
        {
            if (!NativeLibrary.TryLoad(name, typeof(LibTorchSwitches).Assembly, DllImportSearchPath.SafeDirectories, out var library)
                && !NativeLibrary.TryLoad(name, out library))
            {
                continue;
            }
            if (NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var context)
                && NativeLibrary.TryGetExport(library, "_ZN2at7Context20setUserEnabledMkldnnEb", out var set)
                && NativeLibrary.TryGetExport(library, "_ZNK2at7Context17userEnabledMkldnnEv", out var get))
            {
                return new Entry(
                    (delegate* unmanaged<nint>)context,
                    (delegate* unmanaged<nint, byte, void>)set,
                    (delegate* unmanaged<nint, byte>)get);
            }
        }
        return null;
    }

    private sealed class Entry(delegate* unmanaged<nint> context, delegate* unmanaged<nint, byte, void> set, delegate* unmanaged<nint, byte> get)
    {
        public nint Context() => context();

        public void SetOneDnn(nint ctx, byte enabled) => set(ctx, enabled);

        public byte GetOneDnn(nint ctx) => get(ctx);
    }
}
