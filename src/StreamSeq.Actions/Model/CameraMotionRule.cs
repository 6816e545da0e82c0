namespace StreamSeq.Actions.Model;

/// <summary>
/// The classical answer to "how did the camera (or the scene as a whole) move": <see cref="FlowRule"/>'s naming
/// on <see cref="GlobalMotion"/>'s robust, texture-weighted affine fit of each field instead of the plain mean.
/// Pixels that move on their own (a person walking past a static camera) get no weight once they disagree with
/// the textured majority, and flat cells, whose flow is not measured, never count. Same threshold as the flow
/// rule, not tuned; the clip's motion is the mean of its fields' fits.
/// </summary>
public static class CameraMotionRule
{
    /// <summary>The clip's camera motion: (tx, ty, curl, divergence), mean of the per-field robust fits.</summary>
    public static (double Tx, double Ty, double Curl, double Divergence) Measure(ClipTensors clip)
    {
        var side = ClipFeatures.Side;
        var plane = ClipFeatures.PlaneSize;
        return FlowRule.MeanMotion(clip, f => GlobalMotion.Fit(
            clip.Temporal.AsSpan(f * 2 * plane, 2 * plane), side, GlobalMotion.TextureWeights(clip.Spatial.AsSpan(f * plane, plane), side)));
    }

    /// <summary>The class the rule gives, as an index into <paramref name="classes"/> (which must name the nine motions).</summary>
    public static int Classify(ClipTensors clip, IReadOnlyList<string> classes)
    {
        var (tx, ty, curl, divergence) = Measure(clip);
        return FlowRule.IndexOf(FlowRule.Name(tx, ty, curl, divergence), classes);
    }
}
