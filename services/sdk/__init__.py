"""Publisher SDK for agency systems that speak Kafka.

Publish::

    async with Publisher.connect(settings, "school-100001", schema_source) as publisher:
        receipt = await publisher.publish(event)

Resolve raw identifiers to child_refs through the gateway (the SDK never holds
the HMAC key)::

    async with IdentityClient(gateway_url, token, agency="school-100001") as identity:
        child_ref = await identity.child_ref("upn", "A123456789012")
"""
