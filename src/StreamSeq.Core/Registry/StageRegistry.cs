using System.Reflection;

namespace StreamSeq.Registry;

/// <summary>
/// The stage types a pipeline may name: built-in stages plus those found in plugin assemblies, each declared
/// by <see cref="StageAttribute"/>. A type name registered twice keeps the first and reports the second.
/// </summary>
public sealed class StageRegistry
{
    private readonly Dictionary<string, StageDescriptor> _stages = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];

    /// <summary>A registry with the built-in stages of StreamSeq.Core.</summary>
    public static StageRegistry CreateDefault()
    {
        var registry = new StageRegistry();
        registry.AddAssembly(typeof(StageRegistry).Assembly, "built-in");
        return registry;
    }

    public IReadOnlyCollection<StageDescriptor> Stages => _stages.Values;

    /// <summary>Problems met while registering (bad stage classes, duplicate names).</summary>
    public IReadOnlyList<string> Problems => _problems;

    public IEnumerable<string> TypeNames => _stages.Keys;

    public bool TryGet(string typeName, out StageDescriptor descriptor) => _stages.TryGetValue(typeName, out descriptor!);

    /// <summary>Registers every [Stage] class of an assembly; returns how many were added.</summary>
    public int AddAssembly(Assembly assembly, string origin)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types.Where(t => t is not null).ToArray()!;
            _problems.Add($"{origin}: some types could not be loaded: {e.LoaderExceptions.FirstOrDefault()?.Message}");
        }
        var added = 0;
        foreach (var type in types.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            StageDescriptor? descriptor;
            string? problem;
            try
            {
                descriptor = StageDescriptor.TryCreate(type, origin, out problem);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A stage class whose attributes cannot even be read (a throwing attribute, a missing
                // dependency) is that class's problem: the assembly's other stages still register.
                descriptor = null;
                problem = $"{type.FullName}: {e.GetType().Name}: {e.Message}";
            }
            if (problem is not null)
            {
                _problems.Add($"{origin}: {problem}");
            }
            if (descriptor is null)
            {
                continue;
            }
            if (_stages.TryGetValue(descriptor.TypeName, out var existing))
            {
                _problems.Add($"{origin}: stage type '{descriptor.TypeName}' ({type.FullName}) is already registered by {existing.Origin}; ignored");
                continue;
            }
            _stages.Add(descriptor.TypeName, descriptor);
            added++;
        }
        return added;
    }
}
