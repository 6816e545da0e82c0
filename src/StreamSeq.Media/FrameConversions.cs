using OpenCvSharp;

namespace StreamSeq.Media;

/// <summary>Pixel-format and size conversions shared by sources and transforms.</summary>
public static class FrameConversions
{
    /// <summary>
    /// A new Mat (the caller owns it) of <paramref name="source"/> resized to width×height (0 keeps that side;
    /// one side alone keeps the aspect ratio) and, if asked, converted to 8-bit gray.
    /// </summary>
    public static Mat Prepare(Mat source, int width, int height, bool grayscale, InterpolationFlags interpolation = InterpolationFlags.Area)
    {
        var size = TargetSize(source.Size(), width, height);
        var result = new Mat();
        try
        {
            if (grayscale && source.Channels() > 1)
            {
                using var gray = new Mat();
                Cv2.CvtColor(source, gray, source.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
                Resize(gray, result, size, interpolation);
            }
            else
            {
                Resize(source, result, size, interpolation);
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>The size a frame of <paramref name="size"/> gets for a requested width and height (0 = keep/derive).</summary>
    public static Size TargetSize(Size size, int width, int height)
    {
        if (width <= 0 && height <= 0)
        {
            return size;
        }
        if (width <= 0)
        {
            width = Math.Max(1, (int)Math.Round(size.Width * (double)height / size.Height));
        }
        else if (height <= 0)
        {
            height = Math.Max(1, (int)Math.Round(size.Height * (double)width / size.Width));
        }
        return new Size(width, height);
    }

    /// <summary>Copies an image as 8-bit BGR (or gray when it is single-channel) into <paramref name="destination"/>.</summary>
    public static void ToBgrOrGray(Mat image, Mat destination)
    {
        using var eightBit = image.Depth() == MatType.CV_8U ? null : new Mat();
        var source = image;
        if (eightBit is not null)
        {
            image.ConvertTo(eightBit, MatType.CV_8U, image.Depth() == MatType.CV_16U ? 1 / 256.0 : 255.0);
            source = eightBit;
        }
        switch (source.Channels())
        {
            case 4:
                Cv2.CvtColor(source, destination, ColorConversionCodes.BGRA2BGR);
                break;
            default:
                source.CopyTo(destination);
                break;
        }
    }

    /// <summary>A gray 8-bit view of a frame image as a new Mat (the caller owns it).</summary>
    public static Mat ToGray(Mat image)
    {
        var gray = new Mat();
        if (image.Channels() == 1)
        {
            if (image.Depth() == MatType.CV_8U)
            {
                image.CopyTo(gray);
            }
            else
            {
                image.ConvertTo(gray, MatType.CV_8U, 255.0);
            }
        }
        else
        {
            Cv2.CvtColor(image, gray, image.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
        }
        return gray;
    }

    private static void Resize(Mat source, Mat destination, Size size, InterpolationFlags interpolation)
    {
        if (size == source.Size())
        {
            source.CopyTo(destination);
        }
        else
        {
            Cv2.Resize(source, destination, size, 0, 0, interpolation);
        }
    }
}
