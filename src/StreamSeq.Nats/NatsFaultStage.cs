using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace StreamSeq.Nats;

/// <summary>Options of <c>nats.fault</c>.</summary>
public sealed class NatsFaultOptions
{
    [Description("A message carrying this header fails every time it is processed (a poison message)")]
    public string FailHeader { get; init; } = "StreamSeq-Poison";

    [Description("Time each message takes (simulates a slow model)")]
    public TimeSpan Delay { get; init; }

    [Description("Fails one message in this many, on its first delivery only (a transient fault); 0 never")]
    [Range(0, int.MaxValue)]
    public int FailFirstDeliveryEvery { get; init; }
}

/// <summary>
/// Fault injection for work-queue pipelines: fails poison messages (marked with a header), fails a share of
/// first deliveries, or takes a fixed time per message, then forwards the message. Used to check a
/// deployment's dead-letter, redelivery and in-progress handling before a real model is put in its place.
/// </summary>
[Stage("nats.fault", Description = "Fault injection for NATS work: poison messages, transient failures, slow processing")]
public sealed class NatsFaultStage(NatsFaultOptions options) : TransformStage<NatsMessage, NatsMessage>
{
    public override async ValueTask ProcessAsync(Packet<NatsMessage> input, Emitter<NatsMessage> output, CancellationToken cancellationToken)
    {
        var message = input.Payload;
        if (options.FailHeader.Length > 0 && message.Headers.ContainsKey(options.FailHeader))
        {
            throw new InvalidOperationException($"poison message {message.Origin} (header {options.FailHeader}), delivery {message.Origin.Delivery}");
        }
        if (options.FailFirstDeliveryEvery > 0 && message.Origin.Delivery == 1 && message.Origin.StreamSequence % (ulong)options.FailFirstDeliveryEvery == 0)
        {
            throw new InvalidOperationException($"injected transient failure of {message.Origin} on its first delivery");
        }
        if (options.Delay > TimeSpan.Zero)
        {
            await Task.Delay(options.Delay, cancellationToken).ConfigureAwait(false);
        }
        await output.ForwardAsync(input.Retain(), cancellationToken).ConfigureAwait(false);
    }
}
