using Microsoft.Extensions.Logging;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Runtime;

/// <summary>A user's mistake is one log line with its message; a defect keeps its stack trace.</summary>
public sealed class InputProblemsTests
{
    private static string Pipeline(string options) => $$"""
        {
          "stages": [
            { "id": "gen", "type": "source.generator", "options": { "count": 3 } },
            { "id": "camera", "type": "test.fail", "input": "gen", "options": {{options}} },
            { "id": "out", "type": "sink.null", "input": "camera" }
          ]
        }
        """;

    [Fact]
    public async Task A_missing_file_is_logged_without_a_stack_trace_and_a_defect_with_one()
    {
        using var logs = new CapturingLoggerFactory();
        var factory = logs;

        var missing = await RunToEnd(Pipeline("""{ "missingFile": "/missing.mp4" }"""), new PipelineRunOptions { LoggerFactory = factory });
        var userError = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.False(missing.Succeeded);
        Assert.Null(userError.Exception);
        Assert.Contains("stage 'camera'", userError.Message);
        Assert.Contains("video file '/missing.mp4' does not exist", userError.Message);

        logs.Entries.Clear();
        await RunToEnd(Pipeline("""{ "failStart": true }"""), new PipelineRunOptions { LoggerFactory = factory });
        var defect = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.IsType<InvalidOperationException>(defect.Exception);
    }

    [Fact]
    public void Input_problems_are_io_data_access_and_timeouts()
    {
        Assert.True(InputProblems.Is(new FileNotFoundException("x")));
        Assert.True(InputProblems.Is(new InvalidDataException("x")));
        Assert.True(InputProblems.Is(new AggregateException(new IOException("a"), new TimeoutException("b"))));
        Assert.False(InputProblems.Is(new InvalidOperationException("x")));
        Assert.False(InputProblems.Is(new AggregateException(new IOException("a"), new NullReferenceException())));
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries)
                {
                    owner.Entries.Add((logLevel, formatter(state, exception), exception));
                }
            }
        }
    }
}
