using System.Reflection;
using System.Runtime.Loader;
using StreamSeq.Registry;

namespace StreamSeq.Plugins;

/// <summary>A plugin assembly that was found, and whether it loaded.</summary>
public sealed record PluginLoadResult(string Path, int StageCount, string? Error);

/// <summary>
/// Loads plugin assemblies, each into its own <see cref="AssemblyLoadContext"/>. A plugin is a folder that
/// holds an assembly named like the folder (<c>plugins/bin/Acme.Stages/Acme.Stages.dll</c>) with its private
/// dependencies. Assemblies the host already ships (StreamSeq.Abstractions, System.Reactive, the framework)
/// always come from the host, so stage types and packets are the same types on both sides.
/// </summary>
public static class PluginLoader
{
    /// <summary>Finds plugin assemblies under <paramref name="root"/> (any depth, skipping obj folders).</summary>
    public static IReadOnlyList<string> Discover(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }
        var found = new List<string>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            var candidate = Path.Combine(directory, Path.GetFileName(directory) + ".dll");
            if (File.Exists(candidate))
            {
                found.Add(Path.GetFullPath(candidate));
                continue;
            }
            foreach (var child in Directory.EnumerateDirectories(directory))
            {
                var name = Path.GetFileName(child);
                if (name is not ("obj" or ".git" or "node_modules"))
                {
                    pending.Push(child);
                }
            }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>Loads every plugin under the roots into <paramref name="registry"/>; failures are reported, not thrown.</summary>
    public static IReadOnlyList<PluginLoadResult> LoadAll(StageRegistry registry, IEnumerable<string> roots)
        => roots.SelectMany(Discover).Distinct().Select(path => Load(registry, path)).ToList();

    /// <summary>Loads one plugin assembly and registers its stages.</summary>
    public static PluginLoadResult Load(StageRegistry registry, string assemblyPath)
    {
        try
        {
            var context = new PluginLoadContext(assemblyPath);
            var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
            var before = registry.Problems.Count;
            var count = registry.AddAssembly(assembly, assemblyPath);
            var problems = registry.Problems.Skip(before).ToList();
            if (count == 0)
            {
                return new PluginLoadResult(assemblyPath, 0, problems.Count > 0 ? string.Join("; ", problems) : "no [Stage] classes found");
            }
            return new PluginLoadResult(assemblyPath, count, problems.Count > 0 ? string.Join("; ", problems) : null);
        }
        catch (Exception e)
        {
            // Whatever a broken plugin throws (a bad image; a malformed .deps.json, on which the dependency
            // resolver throws InvalidOperationException) is that plugin's problem, reported; it must not take
            // down the verb or the daemon that loads it.
            return new PluginLoadResult(assemblyPath, 0, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private sealed class PluginLoadContext : AssemblyLoadContext
    {
        private readonly AssemblyDependencyResolver _resolver;

        public PluginLoadContext(string assemblyPath) : base($"plugin:{Path.GetFileNameWithoutExtension(assemblyPath)}", isCollectible: false)
            => _resolver = new AssemblyDependencyResolver(assemblyPath);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // The host's copy wins for anything the host has: shared contracts must be one type.
            try
            {
                return Default.LoadFromAssemblyName(assemblyName);
            }
            catch (FileNotFoundException)
            {
            }
            var path = _resolver.ResolveAssemblyToPath(assemblyName);
            return path is null ? null : LoadFromAssemblyPath(path);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
        }
    }
}
