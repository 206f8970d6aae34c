"""The live machinery: engine streams bridged into asyncio, and what viewers are sent.

One thread per engine stream (logs per viewer; stats per container and events
for the engine, shared by every viewer through hubs), bounded pumps between
threads and the event loop, the viewing policy of a log socket, and the HTML
fragments live pages receive. Consumers only check access and shuttle messages.
"""
