namespace StreamSeq;

/// <summary>
/// Declares a named, typed input port of a many-input stage (<see cref="MultiInputStage{TIn,TOut}"/> or
/// <see cref="RxStage{TIn,TOut}"/>), e.g. a two-stream model's <c>rgb</c> frames and <c>flow</c> clips.
/// A stage that declares ports is wired with <c>"inputs": { "port": "stage id" }</c>; validation checks
/// that every required port is connected, no other port is, and each upstream produces the port's type.
/// The stage's inputs then arrive in declaration order.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputPortAttribute : Attribute
{
    /// <summary>Declares a port.</summary>
    public InputPortAttribute(string name, Type payloadType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(payloadType);
        Name = name;
        PayloadType = payloadType;
    }

    /// <summary>The key in <c>"inputs"</c>.</summary>
    public string Name { get; }

    /// <summary>What the upstream stage must produce (a subtype is fine).</summary>
    public Type PayloadType { get; }

    /// <summary>Whether the port must be connected (default true).</summary>
    public bool Required { get; init; } = true;
}
