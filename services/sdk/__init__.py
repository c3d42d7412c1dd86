"""SDK for agency systems that speak Kafka: publish events, receive the agency's view.

Publish::

    async with Publisher.connect(settings, "school-100001", schema_source) as publisher:
        receipt = await publisher.publish(event)

Resolve raw identifiers to child_refs through the gateway (the SDK never holds
the HMAC key)::

    async with IdentityClient(gateway_url, token, agency="school-100001") as identity:
        child_ref = await identity.child_ref("upn", "A123456789012")

Receive what the agency may see, at least once, de-duplicated (docs/receiving.md)::

    async with Subscriber.connect(settings, "school-100001", "case-system", source) as subscriber:
        async for disclosure in subscriber:
            await store(disclosure)
"""
