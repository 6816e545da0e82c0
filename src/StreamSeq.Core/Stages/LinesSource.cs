using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;

namespace StreamSeq.Stages;

/// <summary>Options of <c>source.lines</c>.</summary>
public sealed class LinesOptions
{
    [Description("Text file to read, or - for standard input")]
    [RequiredOption]
    [PathMustExist(AllowStdio = true)]
    public string Path { get; init; } = "";

    [Description("Keep reading lines appended to the file, like tail -f (a truncated file is read again from its start)")]
    public bool Follow { get; init; }

    [Description("With follow: start at the end of the file instead of its beginning")]
    public bool FromEnd { get; init; }

    [Description("With follow: how often to look for new lines")]
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    [Description("Skip empty lines")]
    public bool SkipEmpty { get; init; }
}

/// <summary>Lines of a text file or standard input, optionally following a growing file.</summary>
[Stage("source.lines", Description = "Lines of a text file or stdin; follow mode reads appended lines like tail -f")]
public sealed class LinesSource : SourceStage<string>
{
    private readonly LinesOptions _options;
    private string _path = "";

    public LinesSource(LinesOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _path = _options.Path == "-" ? "-" : context.ResolvePath(_options.Path);
        return ValueTask.CompletedTask;
    }

    public override async Task RunAsync(Emitter<string> output, CancellationToken cancellationToken)
    {
        if (_path == "-")
        {
            await using var stdin = Console.OpenStandardInput();
            await ReadAsync(stdin, output, follow: false, cancellationToken).ConfigureAwait(false);
            return;
        }
        await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: false);
        if (_options.Follow && _options.FromEnd)
        {
            file.Seek(0, SeekOrigin.End);
        }
        await ReadAsync(file, output, _options.Follow, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadAsync(Stream stream, Emitter<string> output, bool follow, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream();
        while (!cancellationToken.IsCancellationRequested)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (!follow)
                {
                    break;
                }
                if (stream.CanSeek && stream.Length < stream.Position)
                {
                    // Truncated (log rotation by copy-truncate): start over.
                    stream.Seek(0, SeekOrigin.Begin);
                    pending.SetLength(0);
                    continue;
                }
                await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }
                pending.Write(buffer, start, i - start);
                await EmitLineAsync(pending, output, cancellationToken).ConfigureAwait(false);
                start = i + 1;
            }
            pending.Write(buffer, start, read - start);
        }
        if (pending.Length > 0 && !cancellationToken.IsCancellationRequested)
        {
            await EmitLineAsync(pending, output, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask EmitLineAsync(MemoryStream pending, Emitter<string> output, CancellationToken cancellationToken)
    {
        var length = (int)pending.Length;
        var bytes = pending.GetBuffer();
        if (length > 0 && bytes[length - 1] == (byte)'\r')
        {
            length--;
        }
        var line = Encoding.UTF8.GetString(bytes, 0, length);
        pending.SetLength(0);
        if (_options.SkipEmpty && line.Length == 0)
        {
            return;
        }
        await output.EmitAsync(line, DateTime.UtcNow, null, cancellationToken).ConfigureAwait(false);
    }
}
