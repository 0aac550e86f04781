using DirectConnect.BorderGateways.Domain;
using DirectConnect.BorderGateways.Storage;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;
using Google.Protobuf;
using Events = DirectConnect.Contracts.Events.V1;

namespace DirectConnect.BorderGateways.Application;

/// <summary>Attaches and detaches VPCs as the catalog (topic <c>routing</c>) registers and deregisters them.</summary>
public sealed class VpcCatalogHandler(VpcAttacher attacher) : IEventHandler
{
    /// <summary>The durable subscription name.</summary>
    public const string Subscription = "border-gateways/vpc-catalog";

    /// <summary>The Routing service's topic.</summary>
    public const string Topic = "routing";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        try
        {
            if (cloudEvent.Type == Events.VpcRegistered.Descriptor.FullName)
            {
                var registered = Events.VpcRegistered.Parser.ParseFrom(cloudEvent.Data.Span);
                await attacher.VpcRegisteredAsync(registered.AccountId, registered.Region,
                    new KnownVpc(registered.VpcId, registered.CidrBlocks.ToArray()), cancellationToken);
            }
            else if (cloudEvent.Type == Events.VpcDeregistered.Descriptor.FullName)
            {
                var deregistered = Events.VpcDeregistered.Parser.ParseFrom(cloudEvent.Data.Span);
                await attacher.VpcDeregisteredAsync(deregistered.AccountId, deregistered.Region, deregistered.VpcId, cancellationToken);
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return EventHandling.Drop;
        }

        return EventHandling.Success;
    }
}

/// <summary>Brings new gateways from CREATING to AVAILABLE, attached to the VPCs known at that point.</summary>
public sealed class GatewayCreatedHandler(VpcAttacher attacher) : IEventHandler
{
    /// <summary>The durable subscription name.</summary>
    public const string Subscription = "border-gateways/gateway-created";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Type == Events.BorderGatewayCreated.Descriptor.FullName)
        {
            await attacher.GatewayCreatedAsync(Events.BorderGatewayCreated.Parser.ParseFrom(cloudEvent.Data.Span).Id, cancellationToken);
        }

        return EventHandling.Success;
    }
}
