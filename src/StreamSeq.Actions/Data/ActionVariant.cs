namespace StreamSeq.Actions.Data;

/// <summary>The two versions of the generated action data set.</summary>
public enum ActionVariant
{
    /// <summary>The label is the motion (left, rotate-cw, zoom-in, …); any single frame is uninformative.</summary>
    Motion,

    /// <summary>The label is the digit's identity; the digit still moves, but one frame suffices.</summary>
    Identity,
}

/// <summary>The motions a generated digit makes, and the class names of each variant.</summary>
public static class ActionClasses
{
    /// <summary>Class names of <see cref="ActionVariant.Motion"/>, in label order.</summary>
    public static readonly IReadOnlyList<string> Motions = ["left", "right", "up", "down", "rotate-cw", "rotate-ccw", "zoom-in", "zoom-out", "still"];

    /// <summary>Class names of <see cref="ActionVariant.Identity"/>.</summary>
    public static readonly IReadOnlyList<string> Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public static IReadOnlyList<string> Of(ActionVariant variant) => variant == ActionVariant.Motion ? Motions : Digits;

    public static string Name(ActionVariant variant) => variant == ActionVariant.Motion ? "motion" : "identity";
}
