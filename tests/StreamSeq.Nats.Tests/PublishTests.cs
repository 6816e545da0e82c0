using System.Buffers.Binary;
using System.Text.Json;
using OpenCvSharp;
using StreamSeq.Cli.Tests.Support;
using StreamSeq.Nats.Tests.Support;

namespace StreamSeq.Nats.Tests;

/// <summary><c>streamseq publish</c>: video frames as JPEG, audio as PCM chunks, oversized samples by reference.</summary>
public sealed class PublishTests
{
    [Fact]
    public async Task A_video_is_published_frame_by_frame_as_jpeg_with_stream_time_and_sequence_headers()
    {
        await using var bench = await WorkBench.StartAsync();
        bench.Configure(WorkBench.Pipeline());
        var video = WriteVideo(bench.Folder["clip.avi"], frames: 12, fps: 10);

        var result = await StreamseqCli.RunAsync(bench.Folder.Path, "publish", video, "--subject", "frames.cam1", "--create-stream", "FRAMES");
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("12 video messages", result.StdErr, StringComparison.Ordinal);

        var messages = await bench.ReadAllAsync("FRAMES");
        Assert.Equal(12, messages.Count);
        DateTime? first = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var msg = messages[i];
            Assert.Equal("frames.cam1", msg.Subject);
            Assert.Equal([0xFF, 0xD8], msg.Data![..2]);
            using var decoded = Cv2.ImDecode(msg.Data, ImreadModes.Color);
            Assert.Equal(new Size(64, 48), decoded.Size());
            var headers = msg.Headers!;
            Assert.Equal("clip", headers[StreamSeqHeaders.StreamId].ToString());
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), headers[StreamSeqHeaders.Sequence].ToString());
            Assert.Equal("image/jpeg", headers[StreamSeqHeaders.ContentType].ToString());
            var time = DateTime.Parse(headers[StreamSeqHeaders.Time].ToString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
            first ??= time;
            Assert.Equal(TimeSpan.FromMilliseconds(100 * i), time - first.Value);
        }
    }

    [Fact]
    public async Task An_audio_file_is_published_in_pcm_chunks_and_a_folder_of_images_image_by_image()
    {
        await using var bench = await WorkBench.StartAsync();
        bench.Configure(WorkBench.Pipeline());
        var wav = WriteWav(bench.Folder["tone.wav"], seconds: 2.5, rate: 16000);

        var result = await StreamseqCli.RunAsync(bench.Folder.Path, "publish", wav, "--subject", "audio.mic1", "--create-stream", "AUDIO", "--chunk", "1s");
        Assert.True(result.ExitCode == 0, result.Describe());

        var messages = await bench.ReadAllAsync("AUDIO");
        Assert.Equal([32000, 32000, 16000], messages.Select(m => m.Data!.Length));
        Assert.All(messages, m => Assert.Equal("audio/L16;rate=16000;channels=1", m.Headers![StreamSeqHeaders.ContentType].ToString()));
        // The chunks are the file's samples, in order.
        var samples = messages.SelectMany(m => m.Data!).ToArray();
        Assert.Equal(File.ReadAllBytes(wav)[44..], samples);

        // A folder of images, in name order: PNG and JPEG go as they are, other formats are encoded to JPEG.
        var stills = Path.Combine(bench.Folder.Path, "stills");
        Directory.CreateDirectory(stills);
        using (var image = new Mat(30, 40, MatType.CV_8UC3, new Scalar(10, 200, 30)))
        {
            Cv2.ImWrite(Path.Combine(stills, "a.png"), image);
            Cv2.ImWrite(Path.Combine(stills, "b.bmp"), image);
        }
        File.WriteAllText(Path.Combine(stills, "notes.txt"), "not an image");
        result = await StreamseqCli.RunAsync(bench.Folder.Path, "publish", stills, "--subject", "frames.door", "--create-stream", "DOOR");
        Assert.True(result.ExitCode == 0, result.Describe());
        var images = await bench.ReadAllAsync("DOOR");
        Assert.Equal(["image/png", "image/jpeg"], images.Select(m => m.Headers![StreamSeqHeaders.ContentType].ToString()));
        Assert.Equal(File.ReadAllBytes(Path.Combine(stills, "a.png")), images[0].Data);
        Assert.Equal([0xFF, 0xD8], images[1].Data![..2]);
        Assert.All(images, m => Assert.Equal("stills", m.Headers![StreamSeqHeaders.StreamId].ToString()));
    }

    [Fact]
    public async Task Samples_too_large_for_a_message_go_by_reference_and_workers_fetch_them()
    {
        await using var bench = await WorkBench.StartAsync();
        bench.Configure(WorkBench.Pipeline());
        var video = WriteVideo(bench.Folder["big.avi"], frames: 3, fps: 10);
        var result = await StreamseqCli.RunAsync(bench.Folder.Path, "publish", video, "--subject", "work.big", "--max-inline", "100");
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("3 by reference", result.StdErr, StringComparison.Ordinal);
        var published = await bench.ReadAllAsync(WorkBench.WorkStream);
        Assert.All(published, m =>
        {
            Assert.Empty(m.Data ?? []);
            Assert.StartsWith("objectstore://streamseq-media/", m.Headers![StreamSeqHeaders.Reference].ToString(), StringComparison.Ordinal);
        });

        bench.StartDaemon();
        await Eventually.TrueAsync(() => bench.Count(WorkBench.ResultsStream) == 3, "3 results", bench.DescribeDaemons, TimeSpan.FromSeconds(60));
        var lengths = new List<int>();
        foreach (var msg in await bench.ReadAllAsync(WorkBench.ResultsStream))
        {
            using var json = JsonDocument.Parse(msg.Data);
            lengths.Add(json.RootElement.GetProperty("payload").GetProperty("length").GetInt32());
        }
        // Each worker saw the whole JPEG frame, fetched from the object store.
        Assert.All(lengths, length => Assert.True(length > 100, $"payload length {length}"));
        await bench.StopDaemonsAsync();
    }

    [Fact]
    public async Task Slow_work_is_kept_alive_with_in_progress_acks_instead_of_being_redelivered()
    {
        await using var bench = await WorkBench.StartAsync();
        // Each message takes longer than the ack wait; without in-progress acks the server would redeliver it.
        bench.Configure(WorkBench.Pipeline(delay: "2500ms", ackWait: "2s"));
        bench.StartDaemon();
        await bench.WaitForWorkersAsync(1);
        await bench.PublishWorkAsync(2);
        await Eventually.TrueAsync(() => bench.Count(WorkBench.ResultsStream) == 2 && bench.Count(WorkBench.WorkStream) == 0, "2 results, queue empty",
            bench.DescribeDaemons, TimeSpan.FromSeconds(60));
        var results = await bench.ReadResultsAsync();
        Assert.All(results, r => Assert.Equal(1UL, r.Delivery));
        await bench.StopDaemonsAsync();

        // Reading the results back with a pipeline of its own (nats.json parses each body) leaves them stored.
        bench.Folder.Write("watch.json", $$"""
            {
              "name": "watch",
              "stages": [
                { "id": "results", "type": "nats.source",
                  "options": { "stream": "{{WorkBench.ResultsStream}}", "subject": "results.work", "consumer": "watch", "retention": "limits", "deadLetterStream": "none" } },
                { "id": "json", "type": "nats.json", "input": "results" },
                { "id": "print", "type": "sink.jsonl", "input": "json", "options": { "path": "-", "payloadOnly": true } }
              ]
            }
            """);
        var watch = await StreamseqCli.RunAsync(bench.Folder.Path, "run", "watch.json", "--duration", "4s");
        Assert.True(watch.ExitCode == 0, watch.Describe());
        var printed = watch.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("origin").GetString()).Order().ToList();
        Assert.Equal(results.Select(r => r.Origin).Order(), printed);
        Assert.Equal(2, await bench.CountAsync(WorkBench.ResultsStream));
    }

    [Fact]
    public async Task Bad_publish_arguments_are_all_reported_with_exit_code_2()
    {
        using var folder = new TempDirectory("nats-publish-args");
        var result = await StreamseqCli.RunAsync(folder.Path, "publish", "missing.mp4", "--subject", "frames.*", "--format", "gif", "--bucket-max-age", "soon");
        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Contains("missing.mp4: no such file or folder", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("'--subject' ('frames.*') must not contain wildcards", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("--format is jpg or png", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("--bucket-max-age is a positive duration", result.StdErr, StringComparison.Ordinal);
    }

    private static string WriteVideo(string path, int frames, double fps)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, fps, new Size(64, 48));
        Assert.True(writer.IsOpened(), "OpenCV cannot write MJPG video");
        for (var i = 0; i < frames; i++)
        {
            using var frame = new Mat(48, 64, MatType.CV_8UC3, new Scalar(i * 20 % 256, 100, 200));
            Cv2.Circle(frame, new Point(8 + 4 * i, 24), 6, Scalar.White, -1);
            writer.Write(frame);
        }
        return path;
    }

    private static string WriteWav(string path, double seconds, int rate)
    {
        var samples = (int)(seconds * rate);
        var bytes = new byte[44 + 2 * samples];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 36 + 2 * samples);
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), rate);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28), rate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(32), 2);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(34), 16);
        "data"u8.CopyTo(bytes.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(40), 2 * samples);
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44 + 2 * i), (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate)));
        }
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
