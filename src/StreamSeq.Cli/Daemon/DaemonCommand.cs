using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamSeq.Cli.Commands;
using StreamSeq.Runtime;

namespace StreamSeq.Cli.Daemon;

/// <summary>
/// <c>streamseq daemon</c>: the Generic Host running every configured pipeline. Settings come from
/// appsettings.json, then environment variables (<c>StreamSeq__DrainTimeout=00:00:05</c>), then the command
/// line (<c>--StreamSeq:Pipelines:0=pipelines/x.json</c>). SIGTERM drains and exits 0; under systemd it
/// reports readiness and logs in the journal's format.
/// </summary>
internal static class DaemonCommand
{
    public static Command Create()
    {
        var settings = CommonOptions.Settings();
        var command = new Command("daemon", "Run the configured pipelines as a service; reload edited files; drain on SIGTERM")
        {
            settings,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async result =>
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                ContentRootPath = Directory.GetCurrentDirectory(),
                Args = result.UnmatchedTokens.ToArray(),
            });
            if (result.GetValue(settings) is { } file)
            {
                builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
                builder.Configuration.AddEnvironmentVariables();
            }
            // The prefix every other verb reads (STREAMSEQ_StreamSeq__DrainTimeout, STREAMSEQ_Nats__Connections__…),
            // then the command line again so that it still wins.
            builder.Configuration.AddEnvironmentVariables("STREAMSEQ_");
            builder.Configuration.AddCommandLine(result.UnmatchedTokens.ToArray());
            builder.Services.AddSystemd();
            builder.Logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss ";
            });
            var section = builder.Configuration.GetSection(StreamSeqSettings.Section);
            builder.Services.AddOptions<StreamSeqSettings>().Bind(section)
                .PostConfigure(s => s.ApplyDefaults(section))
                .Validate(s => s.TorchThreads >= 0, "StreamSeq:TorchThreads must be 0 (no preference) or more")
                .ValidateOnStart();
            var drain = section.Get<StreamSeqSettings>()?.DrainTimeout ?? TimeSpan.FromSeconds(10);
            builder.Services.Configure<HostOptions>(options =>
            {
                // A slot caught mid-reload drains twice (the old run, then its own), each up to the drain
                // timeout plus the abort grace; the host must wait for that, or it exits mid-drain.
                options.ShutdownTimeout = 2 * (drain + new PipelineRunOptions().AbortGrace) + TimeSpan.FromSeconds(5);
                options.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
            });
            builder.Services.AddHostedService<PipelineSupervisor>();
            using var host = builder.Build();
            // Resolved now: RunAsync disposes the host's services before it returns.
            var supervisor = host.Services.GetServices<IHostedService>().OfType<PipelineSupervisor>().Single();
            await host.RunAsync().ConfigureAwait(false);
            // A crashed supervisor stops the host (StopHost) and RunAsync still returns normally; the exit code must
            // say so, or a service manager (systemd Restart=on-failure) takes the crash for a clean stop.
            return supervisor.ExecuteTask is { IsFaulted: true } ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }
}
