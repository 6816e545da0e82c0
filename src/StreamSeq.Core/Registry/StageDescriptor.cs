using System.ComponentModel;
using System.Reflection;

namespace StreamSeq.Registry;

/// <summary>
/// What the registry knows of a stage class: its type name, kind, ports, options type and documentation.
/// Generic stage classes (<c>SlidingWindowStage&lt;T&gt;</c>) are closed over the type arriving on their input.
/// </summary>
public sealed class StageDescriptor
{
    private static readonly Dictionary<Type, StageKind> KindsByBase = new()
    {
        [typeof(SourceStage<>)] = StageKind.Source,
        [typeof(MapStage<,>)] = StageKind.Map,
        [typeof(TransformStage<,>)] = StageKind.Transform,
        [typeof(SinkStage<>)] = StageKind.Sink,
        [typeof(RxStage<,>)] = StageKind.Rx,
        [typeof(MultiInputStage<,>)] = StageKind.MultiInput,
    };

    private StageDescriptor(StageAttribute attribute, Type implementation, StageKind kind, Type? input, Type? output, Type? options, string origin)
    {
        TypeName = attribute.Type;
        Description = attribute.Description;
        Stateless = attribute.Stateless;
        ManyInputs = attribute.ManyInputs;
        Implementation = implementation;
        Kind = kind;
        InputType = input;
        OutputType = output;
        OptionsType = options;
        Origin = origin;
    }

    /// <summary>The <c>type</c> value in pipeline files.</summary>
    public string TypeName { get; }

    public string Description { get; }

    public bool Stateless { get; }

    public bool ManyInputs { get; }

    /// <summary>The stage class; an open generic for stages generic over their payload.</summary>
    public Type Implementation { get; }

    public StageKind Kind { get; }

    /// <summary>The payload type of the input ports (may mention the generic parameter); null for sources.</summary>
    public Type? InputType { get; }

    /// <summary>The payload type of the output port (may mention the generic parameter); null for sinks.</summary>
    public Type? OutputType { get; }

    /// <summary>The options class bound from <c>options</c>; null when the stage takes none.</summary>
    public Type? OptionsType { get; }

    /// <summary>Where the stage comes from: built-in or a plugin's path.</summary>
    public string Origin { get; }

    public bool IsGeneric => Implementation.IsGenericTypeDefinition;

    public bool HasInputs => Kind != StageKind.Source;

    public bool HasOutput => Kind != StageKind.Sink;

    /// <summary>Reads a stage class; returns null with a reason when the class cannot be a stage.</summary>
    public static StageDescriptor? TryCreate(Type type, string origin, out string? problem)
    {
        problem = null;
        var attribute = type.GetCustomAttribute<StageAttribute>();
        if (attribute is null)
        {
            return null;
        }
        if (type.IsAbstract || !typeof(Stage).IsAssignableFrom(type))
        {
            problem = $"{type.FullName} has [Stage] but is not a concrete Stage";
            return null;
        }
        if (type.IsGenericTypeDefinition && type.GetGenericArguments().Length != 1)
        {
            problem = $"{type.FullName}: a generic stage takes exactly one type parameter, its payload";
            return null;
        }
        StageKind? kind = null;
        Type[] arguments = [];
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && KindsByBase.TryGetValue(current.GetGenericTypeDefinition(), out var found))
            {
                kind = found;
                arguments = current.GetGenericArguments();
                break;
            }
        }
        if (kind is null)
        {
            problem = $"{type.FullName} derives from none of the stage base classes";
            return null;
        }
        var (input, output) = kind switch
        {
            StageKind.Source => ((Type?)null, (Type?)arguments[0]),
            StageKind.Sink => (arguments[0], null),
            _ => (arguments[0], arguments[1]),
        };
        var constructors = type.GetConstructors();
        if (constructors.Length != 1 || constructors[0].GetParameters().Length > 1)
        {
            problem = $"{type.FullName} needs exactly one public constructor, taking nothing or its options";
            return null;
        }
        var options = constructors[0].GetParameters().FirstOrDefault()?.ParameterType;
        if (options is not null && (options.IsAbstract || options.GetConstructor(Type.EmptyTypes) is null))
        {
            problem = $"{type.FullName}: the options type {options.Name} needs a public parameterless constructor";
            return null;
        }
        if (attribute.Stateless && kind != StageKind.Map)
        {
            problem = $"{type.FullName}: only map stages can be Stateless";
            return null;
        }
        if (attribute.ManyInputs && kind is not (StageKind.Rx or StageKind.MultiInput))
        {
            problem = $"{type.FullName}: only Rx and multi-input stages can take many inputs";
            return null;
        }
        var ports = type.GetCustomAttributes<InputPortAttribute>().ToList();
        if (ports.Count > 0)
        {
            if (!attribute.ManyInputs)
            {
                problem = $"{type.FullName}: named input ports need ManyInputs = true";
                return null;
            }
            if (ports.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != ports.Count)
            {
                problem = $"{type.FullName}: two input ports have the same name";
                return null;
            }
            if (input is not null && !input.ContainsGenericParameters && ports.FirstOrDefault(p => !input.IsAssignableFrom(p.PayloadType)) is { } wrong)
            {
                problem = $"{type.FullName}: port '{wrong.Name}' ({wrong.PayloadType.Name}) does not fit the stage's input type {input.Name}";
                return null;
            }
        }
        return new StageDescriptor(attribute, type, kind.Value, input, output, options, origin) { Ports = ports };
    }

    /// <summary>Named, typed input ports, in declaration order; empty when the stage takes any inputs.</summary>
    public IReadOnlyList<InputPortAttribute> Ports { get; private init; } = [];

    /// <summary>
    /// Closes a generic stage over the payload types arriving on its inputs. Returns null when the generic
    /// parameter cannot be inferred.
    /// </summary>
    public ClosedStage? Close(IReadOnlyList<Type> upstreamTypes)
    {
        if (!IsGeneric)
        {
            return new ClosedStage(this, Implementation, InputType, OutputType);
        }
        var parameter = Implementation.GetGenericArguments()[0];
        Type? inferred = null;
        if (InputType is null)
        {
            return null;
        }
        var distinct = upstreamTypes.Distinct().ToList();
        var candidate = distinct.Count == 1 ? distinct[0] : typeof(object);
        inferred = Infer(InputType, candidate, parameter);
        if (inferred is null)
        {
            return null;
        }
        var closed = Implementation.MakeGenericType(inferred);
        return new ClosedStage(this, closed, Substitute(InputType, parameter, inferred), OutputType is null ? null : Substitute(OutputType, parameter, inferred));
    }

    private static Type? Infer(Type pattern, Type actual, Type parameter)
    {
        if (pattern == parameter)
        {
            return actual;
        }
        if (pattern.IsGenericType && actual.IsGenericType && pattern.GetGenericTypeDefinition() == actual.GetGenericTypeDefinition())
        {
            var patternArgs = pattern.GetGenericArguments();
            var actualArgs = actual.GetGenericArguments();
            for (var i = 0; i < patternArgs.Length; i++)
            {
                if (Infer(patternArgs[i], actualArgs[i], parameter) is { } found)
                {
                    return found;
                }
            }
        }
        return null;
    }

    private static Type Substitute(Type pattern, Type parameter, Type actual)
    {
        if (pattern == parameter)
        {
            return actual;
        }
        if (pattern.IsGenericType && pattern.ContainsGenericParameters)
        {
            var args = pattern.GetGenericArguments().Select(a => Substitute(a, parameter, actual)).ToArray();
            return pattern.GetGenericTypeDefinition().MakeGenericType(args);
        }
        return pattern;
    }

    /// <summary>The options' documentation: name, type, default and description per property.</summary>
    public IReadOnlyList<OptionInfo> Options => _options ??= OptionInfo.Read(OptionsType);

    private IReadOnlyList<OptionInfo>? _options;
}

/// <summary>A stage class closed over concrete payload types, ready to instantiate.</summary>
public sealed record ClosedStage(StageDescriptor Descriptor, Type Implementation, Type? InputType, Type? OutputType)
{
    /// <summary>Creates a new instance from bound options.</summary>
    public Stage Create(object? options)
    {
        try
        {
            return Descriptor.OptionsType is null
                ? (Stage)Activator.CreateInstance(Implementation)!
                : (Stage)Activator.CreateInstance(Implementation, options)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}

/// <summary>One documented option of a stage.</summary>
public sealed record OptionInfo(string Name, PropertyInfo Property, string TypeName, object? Default, string Description, bool Required)
{
    public static IReadOnlyList<OptionInfo> Read(Type? optionsType)
    {
        if (optionsType is null)
        {
            return [];
        }
        var defaults = Activator.CreateInstance(optionsType);
        return optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .Select(p => new OptionInfo(
                OptionNames.ToJson(p.Name),
                p,
                OptionTypes.Describe(p.PropertyType),
                p.GetValue(defaults),
                p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "",
                p.GetCustomAttribute<RequiredOptionAttribute>() is not null))
            .ToList();
    }
}

/// <summary>The JSON name of an option property (camelCase).</summary>
public static class OptionNames
{
    public static string ToJson(string propertyName) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(propertyName);
}
