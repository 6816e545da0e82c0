using OpenCvSharp;
using StreamSeq.Audio;
using StreamSeq.Audio.Io;
using StreamSeq.Audio.Wav;
using StreamSeq.Ingest;

namespace StreamSeq.Nats.Publishing;

/// <summary>What <c>streamseq publish</c> reads (the content; <see cref="MediaLocation"/> says where it is).</summary>
public enum PublishedMedia
{
    /// <summary>Decided from the path: a folder is images, a known audio extension is audio, anything else video.</summary>
    Auto,

    /// <summary>A video file (anything OpenCV's FFmpeg backend opens), published frame by frame, encoded.</summary>
    Video,

    /// <summary>A folder of images, published in name order.</summary>
    Images,

    /// <summary>An audio file, published in chunks of 16-bit PCM.</summary>
    Audio,
}

/// <summary>
/// Turns media files into encoded samples small enough for messages: video frames encoded to JPEG or PNG
/// (never raw), images as they are (re-encoded when not JPEG/PNG), audio as 16-bit PCM chunks.
/// </summary>
public static class MediaReader
{
    /// <summary>What <paramref name="path"/> is read as under <see cref="PublishedMedia.Auto"/>: a folder is images, an audio file audio, anything else video.</summary>
    public static PublishedMedia Detect(string path)
    {
        var location = MediaLocation.Parse(path, Environment.CurrentDirectory, MediaLocationForms.None);
        return Directory.Exists(location.Target) ? PublishedMedia.Images
            : location.IsAudioFile ? PublishedMedia.Audio
            : PublishedMedia.Video;
    }

    /// <summary>Frames of a video, every <paramref name="every"/>-th, encoded as <paramref name="format"/> (<c>jpg</c> or <c>png</c>).</summary>
    /// <exception cref="IOException">The file cannot be opened as a video.</exception>
    public static IEnumerable<MediaItem> ReadVideo(string path, string format = "jpg", int quality = 85, int every = 1, long maxFrames = 0)
    {
        using var capture = new VideoCapture(path);
        if (!capture.IsOpened())
        {
            throw new IOException($"{path}: cannot be opened as a video");
        }
        var fps = capture.Fps is > 0 and < 1000 ? capture.Fps : 25;
        var (extension, contentType, parameters) = Encoding(format, quality);
        using var frame = new Mat();
        long index = 0, published = 0;
        while (capture.Read(frame) && !frame.Empty())
        {
            if (index++ % every != 0)
            {
                continue;
            }
            Cv2.ImEncode(extension, frame, out var bytes, parameters);
            var offset = TimeSpan.FromSeconds((index - 1) / fps);
            yield return new MediaItem(bytes, contentType, offset, $"{Path.GetFileName(path)} frame {index - 1}");
            if (maxFrames > 0 && ++published >= maxFrames)
            {
                yield break;
            }
        }
    }

    /// <summary>Images of a folder in name order, one per <paramref name="interval"/> of media time.</summary>
    public static IEnumerable<MediaItem> ReadImages(string folder, string format = "jpg", int quality = 85, TimeSpan? interval = null)
    {
        var files = MediaLocation.Parse(folder, Environment.CurrentDirectory, MediaLocationForms.ImageSequences).ImageFiles();
        if (files.Count == 0)
        {
            throw new IOException($"{folder}: no images ({string.Join(", ", MediaLocation.ImageExtensions)})");
        }
        var (extension, contentType, parameters) = Encoding(format, quality);
        var step = interval ?? TimeSpan.FromMilliseconds(40);
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            var ext = Path.GetExtension(file).ToLowerInvariant();
            byte[] bytes;
            string type;
            if (ext is ".jpg" or ".jpeg" or ".png")
            {
                // Already encoded: published as it is.
                bytes = File.ReadAllBytes(file);
                type = ext == ".png" ? "image/png" : "image/jpeg";
            }
            else
            {
                using var image = Cv2.ImRead(file, ImreadModes.Color);
                if (image.Empty())
                {
                    throw new IOException($"{file}: cannot be decoded as an image");
                }
                Cv2.ImEncode(extension, image, out bytes, parameters);
                type = contentType;
            }
            yield return new MediaItem(bytes, type, step * i, Path.GetFileName(file));
        }
    }

    /// <summary>
    /// An audio file as chunks of 16-bit little-endian PCM of <paramref name="chunk"/> each. A WAV file (any sample
    /// format the audio library's <see cref="WavReader"/> reads) keeps its rate and channels; anything else is
    /// decoded by ffmpeg (<see cref="FfmpegDecoder"/>) to mono at <paramref name="sampleRate"/>.
    /// </summary>
    public static IEnumerable<MediaItem> ReadAudio(string path, TimeSpan chunk, int sampleRate = 16000)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        var audio = TryReadWav(path) ?? FfmpegDecoder.DecodeAllAsync(path, sampleRate, 1).GetAwaiter().GetResult();
        var (pcm, rate, channels) = (audio.ToPcm16(), audio.SampleRate, audio.Channels);
        var bytesPerFrame = 2 * channels;
        var frames = Math.Max(1, (int)Math.Round(chunk.TotalSeconds * rate));
        var size = frames * bytesPerFrame;
        var contentType = $"audio/L16;rate={rate};channels={channels}";
        for (int offset = 0, i = 0; offset < pcm.Length; offset += size, i++)
        {
            var length = Math.Min(size, pcm.Length - offset);
            yield return new MediaItem(pcm.AsSpan(offset, length).ToArray(), contentType,
                TimeSpan.FromSeconds((double)offset / bytesPerFrame / rate), $"{Path.GetFileName(path)} chunk {i}");
        }
    }

    private static AudioBuffer? TryReadWav(string path)
    {
        if (!WavReader.LooksLikeWav(path))
        {
            return null;
        }
        try
        {
            return WavReader.ReadFile(path);
        }
        catch (AudioFormatException)
        {
            // An encoding the reader does not handle (ADPCM, µ-law, …): ffmpeg converts it.
            return null;
        }
    }

    private static (string Extension, string ContentType, ImageEncodingParam[] Parameters) Encoding(string format, int quality)
        => format.ToLowerInvariant() switch
        {
            "jpg" or "jpeg" => (".jpg", "image/jpeg", [new ImageEncodingParam(ImwriteFlags.JpegQuality, Math.Clamp(quality, 1, 100))]),
            "png" => (".png", "image/png", [new ImageEncodingParam(ImwriteFlags.PngCompression, 3)]),
            _ => throw new ArgumentException($"unknown image format '{format}' (jpg or png)", nameof(format)),
        };
}
