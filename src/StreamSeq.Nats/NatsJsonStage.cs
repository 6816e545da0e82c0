using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamSeq.Nats;

/// <summary>
/// Parses a message body as JSON (results written by <c>nats.sink</c>, or any JSON work item), so downstream
/// stages and sinks see the document rather than the message envelope. A body that is not JSON fails the
/// packet (handled by the stage's <c>onError</c>).
/// </summary>
[Stage("nats.json", Description = "Parses a NATS message body as JSON (e.g. to print or re-process results)", Stateless = true)]
public sealed class NatsJsonStage : MapStage<NatsMessage, JsonNode>
{
    public override JsonNode Map(in Packet<NatsMessage> input)
    {
        try
        {
            return JsonNode.Parse(input.Payload.Data) ?? throw new JsonException("the body is JSON null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"message {input.Payload.Origin} on '{input.Payload.Subject}' is not JSON: {e.Message}", e);
        }
    }
}
