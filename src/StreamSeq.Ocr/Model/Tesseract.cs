using System.Diagnostics;

namespace StreamSeq.Ocr.Model;

/// <summary>
/// Tesseract 5 (Debian <c>tesseract-ocr</c>) as the comparison: one process reads a list of images, each as a
/// single text line (<c>--psm 7</c>), optionally with a character whitelist (digits for the digit strings).
/// </summary>
public static class Tesseract
{
    /// <summary>The installed version line, or null when <c>tesseract</c> is not on the PATH.</summary>
    public static string? Version()
    {
        try
        {
            var (code, output, error) = Run(["--version"], TimeSpan.FromSeconds(30), 0);
            var text = (output + error).Split('\n').FirstOrDefault(l => l.StartsWith("tesseract", StringComparison.Ordinal));
            return code == 0 ? text?.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Reads each image as one line; returns the texts in order.</summary>
    /// <param name="images">Image paths.</param>
    /// <param name="whitelist">Characters Tesseract may output, or null for any.</param>
    /// <param name="scratch">A folder for the image list file.</param>
    /// <param name="threads">OpenMP threads each Tesseract process may use (0: its default).</param>
    /// <param name="processes">Processes run at once, each reading a contiguous part of the list: how Tesseract
    /// uses several cores for many small images, where its OpenMP threads help little.</param>
    /// <exception cref="InvalidOperationException">Tesseract failed or returned a different number of pages.</exception>
    public static IReadOnlyList<string> Read(IReadOnlyList<string> images, string? whitelist, string scratch, int threads = 0, int processes = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 1);
        if (processes == 1 || images.Count < 2)
        {
            return ReadInOneProcess(images, whitelist, scratch, threads);
        }
        var share = (images.Count + processes - 1) / processes;
        var parts = Enumerable.Range(0, processes).Select(p => images.Skip(p * share).Take(share).ToList()).Where(p => p.Count > 0).ToList();
        var results = new IReadOnlyList<string>[parts.Count];
        try
        {
            Parallel.For(0, parts.Count, new ParallelOptions { MaxDegreeOfParallelism = parts.Count }, p => results[p] = ReadInOneProcess(parts[p], whitelist, scratch, threads));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // The documented exception, not Parallel's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return [.. results.SelectMany(r => r)];
    }

    /// <summary>Reads each image as a whole page in one process, in Tesseract's default page mode (<c>--psm 3</c>:
    /// automatic page segmentation); returns each page's text with its line breaks.</summary>
    /// <exception cref="InvalidOperationException">Tesseract failed or returned a different number of pages.</exception>
    public static IReadOnlyList<string> ReadPages(IReadOnlyList<string> images, string scratch, int threads = 0) =>
        ReadInOneProcess(images, null, scratch, threads, pageMode: 3);

    private static IReadOnlyList<string> ReadInOneProcess(IReadOnlyList<string> images, string? whitelist, string scratch, int threads, int pageMode = 7)
    {
        Directory.CreateDirectory(scratch);
        var list = Path.Combine(scratch, $"tesseract-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(list, images.Select(Path.GetFullPath));
        try
        {
            var arguments = new List<string> { list, "stdout", "--psm", pageMode.ToString(System.Globalization.CultureInfo.InvariantCulture), "-l", "eng" };
            if (whitelist is not null)
            {
                arguments.AddRange(["-c", $"tessedit_char_whitelist={whitelist}"]);
            }
            var (code, output, error) = Run(arguments, TimeSpan.FromMinutes(20), threads);
            if (code != 0)
            {
                throw new InvalidOperationException($"tesseract exited with {code}: {error.Trim()}");
            }
            // One page per image, each ended by a form feed.
            var pages = output.Split('\f');
            var texts = pages.Take(images.Count).Select(p => pageMode == 7 ? p.Replace("\n", " ", StringComparison.Ordinal).Trim() : p.Trim()).ToList();
            if (texts.Count != images.Count)
            {
                throw new InvalidOperationException($"tesseract returned {texts.Count} pages for {images.Count} images");
            }
            return texts;
        }
        finally
        {
            File.Delete(list);
        }
    }

    private static (int Code, string Output, string Error) Run(IEnumerable<string> arguments, TimeSpan timeout, int threads)
    {
        var info = new ProcessStartInfo("tesseract") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (threads > 0)
        {
            info.Environment["OMP_THREAD_LIMIT"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start tesseract");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tesseract took longer than {timeout}");
        }
        return (process.ExitCode, output, error.Result);
    }
}
