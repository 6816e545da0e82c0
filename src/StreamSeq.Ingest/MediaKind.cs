namespace StreamSeq.Ingest;

/// <summary>What a source's <c>uri</c> names (see <see cref="MediaLocation"/>).</summary>
public enum MediaKind
{
    /// <summary>A file (a video, an audio file, anything ffmpeg decodes).</summary>
    File,

    /// <summary>A folder of images, or a glob such as <c>frames/*.png</c>, read in name order.</summary>
    ImageSequence,

    /// <summary>A V4L2 camera: an index (<c>0</c>) or a device node (<c>/dev/video0</c>).</summary>
    Device,

    /// <summary>A network stream ffmpeg opens: <c>rtsp://</c>, <c>http(s)://</c>, <c>tcp://</c>, <c>udp://</c>, <c>rtmp://</c>, <c>srt://</c>.</summary>
    Network,

    /// <summary>Standard input (<c>-</c> or <c>stdin</c>).</summary>
    Stdin,

    /// <summary>Raw PCM from a TCP server (<c>tcp://host:port</c>, where the reader takes raw audio).</summary>
    TcpPcm,
}

/// <summary>The forms of location a reader accepts besides files and network URLs (see <see cref="MediaLocation.Parse"/>).</summary>
[Flags]
public enum MediaLocationForms
{
    /// <summary>Files and network URLs only.</summary>
    None = 0,

    /// <summary>Camera indexes and <c>/dev/videoN</c> nodes.</summary>
    Devices = 1,

    /// <summary>Folders and globs of images.</summary>
    ImageSequences = 2,

    /// <summary><c>-</c> and <c>stdin</c>.</summary>
    StandardInput = 4,

    /// <summary><c>tcp://host:port</c> as raw PCM rather than a stream for ffmpeg.</summary>
    TcpPcm = 8,

    /// <summary>What video sources read: files, devices, image sequences, network streams.</summary>
    Video = Devices | ImageSequences,

    /// <summary>What audio sources read: files, standard input, raw PCM over TCP, network streams.</summary>
    Audio = StandardInput | TcpPcm,
}
