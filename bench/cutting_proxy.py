#!/usr/bin/env python3
"""A TCP proxy that stands in for a link: it may cut every connection after a number of bytes, cap each
connection's rate, and hold back the first byte of every answer (the latency of a far-away server).

It appends one line per connection to a counter file -- the bytes it forwarded to the client, and the times the
connection opened and closed -- so a benchmark can add up what the client really paid for, and when.
"""
import argparse
import asyncio
import time


async def pipe(reader, writer, limit, counter, rate, first_delay):
    started = None
    try:
        while True:
            wanted = 65536 if limit is None else min(65536, limit - counter[0])
            if wanted <= 0:
                break
            if rate:
                wanted = min(wanted, max(1024, rate // 50))
            data = await reader.read(wanted)
            if not data:
                break
            if started is None:
                if first_delay:
                    await asyncio.sleep(first_delay)
                started = time.monotonic()
            writer.write(data)
            await writer.drain()
            counter[0] += len(data)
            if rate:
                # Never ahead of the cap: the bytes so far at `rate` bytes per second from the first byte.
                ahead = started + counter[0] / rate - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer, args):
    opened = time.time()
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", args.upstream)
    except OSError:
        client_writer.close()
        return
    down = [0]
    up = [0]
    to_upstream = asyncio.create_task(pipe(client_reader, upstream_writer, None, up, 0, 0))
    to_client = asyncio.create_task(pipe(upstream_reader, client_writer, args.cut_every or None, down,
                                         args.rate, args.first_byte_delay))
    await to_client
    to_upstream.cancel()
    upstream_writer.close()
    client_writer.close()
    with open(args.counter, "a") as counter:
        counter.write(f"{down[0]} {opened:.6f} {time.time():.6f}\n")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--cut-every", type=int, default=0, help="bytes sent to the client per connection; 0: never")
    parser.add_argument("--rate", type=int, default=0, help="bytes per second per connection; 0: no cap")
    parser.add_argument("--first-byte-delay", type=float, default=0.0, help="seconds before an answer's first byte")
    parser.add_argument("--counter", required=True)
    args = parser.parse_args()
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), "127.0.0.1", args.listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
