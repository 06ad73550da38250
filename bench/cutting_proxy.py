#!/usr/bin/env python3
"""A TCP proxy that cuts every connection after a number of bytes flowed back to the client.

Stands in for a link that drops every few MiB. It appends the bytes it forwarded on each connection to a
counter file, so a benchmark can add up what the client really paid for.
"""
import argparse
import asyncio


async def pipe(reader, writer, limit, counter):
    try:
        while True:
            wanted = 65536 if limit is None else min(65536, limit - counter[0])
            if wanted <= 0:
                break
            data = await reader.read(wanted)
            if not data:
                break
            writer.write(data)
            await writer.drain()
            counter[0] += len(data)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer, args):
    upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", args.upstream)
    down = [0]
    up = [0]
    to_upstream = asyncio.create_task(pipe(client_reader, upstream_writer, None, up))
    to_client = asyncio.create_task(pipe(upstream_reader, client_writer, args.cut_every, down))
    await to_client
    to_upstream.cancel()
    upstream_writer.close()
    client_writer.close()
    with open(args.counter, "a") as counter:
        counter.write(f"{down[0]}\n")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--cut-every", type=int, required=True, help="bytes sent to the client per connection")
    parser.add_argument("--counter", required=True)
    args = parser.parse_args()
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), "127.0.0.1", args.listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
