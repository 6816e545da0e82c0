using OpenCvSharp;

namespace StreamSeq.Ocr.Segmentation;

/// <summary>
/// Over-segmentation of a line: candidate cut columns between and through characters. Cuts go in the middle
/// of every ink-free column run (gaps between connected pieces) and at local minima of the column ink profile
/// inside ink runs (where touching or overlapping characters join). A character is then some run of
/// consecutive cut-to-cut slices; the lattice decides which.
/// </summary>
public static class OverSegmenter
{
    /// <summary>Cut columns, left to right, first at the ink's left edge and last past its right edge.</summary>
    /// <param name="ink">Row-major ink values 0..1.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="minGap">Fewest columns between two cuts.</param>
    public static IReadOnlyList<int> Cuts(ReadOnlySpan<float> ink, int width, int height, int minGap = 3)
    {
        var profile = new double[width];
        for (var r = 0; r < height; r++)
        {
            for (var c = 0; c < width; c++)
            {
                var v = ink[(r * width) + c];
                profile[c] += v > 0.35f ? v : 0;
            }
        }
        var first = Array.FindIndex(profile, p => p > 0);
        var last = Array.FindLastIndex(profile, p => p > 0);
        if (first < 0)
        {
            return [];
        }
        var cuts = new SortedSet<int> { first, last + 1 };
        // Gaps: the middle of each ink-free run.
        for (var c = first; c <= last; c++)
        {
            if (profile[c] == 0)
            {
                var start = c;
                while (c <= last && profile[c] == 0)
                {
                    c++;
                }
                cuts.Add((start + c) / 2);
            }
        }
        // Inside ink: minima of the smoothed profile, weakest first, kept when far enough from other cuts.
        var smooth = new double[width];
        for (var c = 0; c < width; c++)
        {
            smooth[c] = (profile[Math.Max(0, c - 1)] + profile[c] + profile[Math.Min(width - 1, c + 1)]) / 3;
        }
        var minima = new List<int>();
        for (var c = first + 2; c < last - 1; c++)
        {
            if (profile[c] > 0 && smooth[c] <= smooth[c - 1] && smooth[c] <= smooth[c + 1] && smooth[c] < 0.6 * height)
            {
                minima.Add(c);
            }
        }
        foreach (var c in minima.OrderBy(c => smooth[c]))
        {
            if (cuts.All(k => Math.Abs(k - c) >= minGap))
            {
                cuts.Add(c);
            }
        }
        return [.. cuts];
    }

    /// <summary>
    /// The ink between two cut columns, cropped to its rows and columns of ink and centred MNIST-style: scaled
    /// to fit 20×20 (aspect kept) and placed by its centre of mass in a 28×28 field.
    /// </summary>
    /// <returns>784 values 0..1, or null when the slice holds no ink.</returns>
    public static float[]? Normalise(ReadOnlySpan<float> ink, int width, int height, int from, int to)
    {
        int top = height, bottom = -1, left = to, right = from - 1;
        for (var r = 0; r < height; r++)
        {
            for (var c = from; c < to; c++)
            {
                if (ink[(r * width) + c] > 0.35f)
                {
                    top = Math.Min(top, r);
                    bottom = Math.Max(bottom, r);
                    left = Math.Min(left, c);
                    right = Math.Max(right, c);
                }
            }
        }
        if (bottom < 0)
        {
            return null;
        }
        int h = bottom - top + 1, w = right - left + 1;
        var crop = new float[h * w];
        for (var r = 0; r < h; r++)
        {
            for (var c = 0; c < w; c++)
            {
                crop[(r * w) + c] = ink[((top + r) * width) + left + c];
            }
        }
        return Centre(crop, w, h);
    }

    /// <summary>Scales an ink patch to fit 20×20 and centres it by mass in 28×28.</summary>
    internal static float[] Centre(float[] crop, int w, int h)
    {
        var scale = 20.0 / Math.Max(w, h);
        var sw = Math.Max(1, (int)Math.Round(w * scale));
        var sh = Math.Max(1, (int)Math.Round(h * scale));
        using var source = Mat.FromPixelData(h, w, MatType.CV_32FC1, crop);
        using var scaled = new Mat();
        Cv2.Resize(source, scaled, new Size(sw, sh), 0, 0, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
        scaled.GetArray(out float[] pixels);
        double mass = 0, mx = 0, my = 0;
        for (var r = 0; r < sh; r++)
        {
            for (var c = 0; c < sw; c++)
            {
                var v = pixels[(r * sw) + c];
                mass += v;
                mx += v * c;
                my += v * r;
            }
        }
        var ox = mass > 0 ? (int)Math.Round(14 - (mx / mass)) : (28 - sw) / 2;
        var oy = mass > 0 ? (int)Math.Round(14 - (my / mass)) : (28 - sh) / 2;
        ox = Math.Clamp(ox, 0, 28 - sw);
        oy = Math.Clamp(oy, 0, 28 - sh);
        var field = new float[28 * 28];
        for (var r = 0; r < sh; r++)
        {
            for (var c = 0; c < sw; c++)
            {
                field[((oy + r) * 28) + ox + c] = Math.Clamp(pixels[(r * sw) + c], 0, 1);
            }
        }
        return field;
    }
}
