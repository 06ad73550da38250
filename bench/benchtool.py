#!/usr/bin/env python3
"""Small helpers for bench/run.sh (standard library only).

    timed OUT -- CMD...              runs CMD, writes its wall time in seconds to OUT, exits with its code
    stamped OUT -- CMD...            writes time.time() to OUT, then execs CMD (same pid: kill it to kill CMD)
    peak-disk OUT STOP MAX_S DIR...  every 20 ms adds up the files under DIRs (allocated blocks and apparent
                                     sizes) until the file STOP exists or MAX_S seconds passed; writes both maxima
    wait-size FILE BYTES PID MAX_S   waits until FILE holds at least BYTES bytes; exits 1 if PID ended first or
                                     MAX_S passed
    log-size LOG                     the size of LOG in bytes (an offset for the commands below)
    counter FILE                     the proxy's counter file: "<connections> <bytes> <seconds from the first
                                     connection's opening to the last one's closing>"
    wait-state DIR BYTES PID MAX_S   waits until the state document in DIR claims at least BYTES bytes_downloaded;
                                     exits 1 if PID ended first or MAX_S passed
    requests LOG FROM PREFIX         the requests logged after byte FROM for URIs starting with PREFIX:
                                     "<count> <body bytes sent> <first request's start, epoch s>
                                     <first request's method:status:Range header>"
    wait-request LOG FROM PREFIX MAX_S   waits until at least one such request is logged; exits 1 after MAX_S
    json FILE KEY...                 a value of a JSON document (nested keys)
    state-marks DIR                  "bytes_downloaded bytes_durable" of the one state document in DIR
    key-hex BASE64                   the key as hex
    median X...                      the median
    ratio A B                        A / B
"""
import glob
import json
import os
import re
import subprocess
import sys
import time
import base64
import statistics

# log_format bench '$msec $request_time $status $body_bytes_sent "$request" "$http_range"';
LINE = re.compile(r'^(\d+\.\d+) (\d+\.\d+) (\d+) (\d+) "(\S+) (\S+)[^"]*" "([^"]*)"')


def logged(log, start, prefix):
    with open(log, "rb") as f:
        f.seek(int(start))
        text = f.read().decode("utf-8", "replace")
    found = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m and m.group(6).startswith(prefix):
            ended, took = float(m.group(1)), float(m.group(2))
            # nginx logs a request when it ends; $msec - $request_time is when its first byte was read.
            found.append((ended - took, int(m.group(4)), f"{m.group(5)}:{m.group(3)}:{m.group(7) or '-'}"))
    return found


def tree_size(dirs):
    allocated = apparent = 0
    for top in dirs:
        for root, _, files in os.walk(top):
            for name in files:
                try:
                    st = os.lstat(os.path.join(root, name))
                except FileNotFoundError:
                    continue  # renamed or deleted between the listing and the stat
                allocated += st.st_blocks * 512
                apparent += st.st_size
    return allocated, apparent


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (ended, not yet reaped by its parent shell) counts as ended.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main(argv):
    cmd, args = argv[0], argv[1:]
    if cmd == "timed":
        out, rest = args[0], args[2:] if args[1] == "--" else args[1:]
        started = time.monotonic()
        code = subprocess.call(rest)
        with open(out, "w") as f:
            f.write(f"{time.monotonic() - started:.4f}\n")
        return code
    if cmd == "stamped":
        out, rest = args[0], args[2:] if args[1] == "--" else args[1:]
        with open(out, "w") as f:
            f.write(f"{time.time():.6f}\n")
        os.execvp(rest[0], rest)
    if cmd == "peak-disk":
        out, stop, max_s, dirs = args[0], args[1], float(args[2]), args[3:]
        deadline = time.monotonic() + max_s
        peak_allocated = peak_apparent = 0
        while True:
            allocated, apparent = tree_size(dirs)
            peak_allocated = max(peak_allocated, allocated)
            peak_apparent = max(peak_apparent, apparent)
            if os.path.exists(stop) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        with open(out, "w") as f:
            f.write(f"{peak_allocated} {peak_apparent}\n")
        return 0
    if cmd == "wait-size":
        path, wanted, pid, max_s = args[0], int(args[1]), int(args[2]), float(args[3])
        deadline = time.monotonic() + max_s
        while time.monotonic() < deadline:
            try:
                if os.path.getsize(path) >= wanted:
                    return 0
            except FileNotFoundError:
                pass
            if not alive(pid):
                return 1
            time.sleep(0.005)
        return 1
    if cmd == "counter":
        rows = [line.split() for line in open(argv[1]) if line.strip()]
        if not rows:
            print(0, 0, 0)
            return 0
        total = sum(int(r[0]) for r in rows)
        span = max(float(r[2]) for r in rows) - min(float(r[1]) for r in rows)
        print(len(rows), total, f"{span:.3f}")
        return 0
    if cmd == "wait-state":
        directory, wanted, pid, limit = argv[1], int(argv[2]), int(argv[3]), float(argv[4])
        deadline = time.time() + limit
        while time.time() < deadline:
            if not alive(pid):
                return 1
            for name in os.listdir(directory) if os.path.isdir(directory) else []:
                if name.endswith(".json"):
                    try:
                        with open(os.path.join(directory, name)) as f:
                            if json.load(f).get("bytes_downloaded", 0) >= wanted:
                                return 0
                    except (OSError, ValueError):
                        pass
            time.sleep(0.01)
        return 1
    if cmd == "log-size":
        print(os.path.getsize(args[0]))
        return 0
    if cmd == "requests":
        found = logged(args[0], args[1], args[2])
        first = min(found, default=(0.0, 0, "-"))
        print(len(found), sum(b for _, b, _ in found), f"{first[0]:.3f}", first[2])
        return 0
    if cmd == "wait-request":
        deadline = time.monotonic() + float(args[3])
        while time.monotonic() < deadline:
            if logged(args[0], args[1], args[2]):
                return 0
            time.sleep(0.02)
        return 1
    if cmd == "json":
        value = json.load(open(args[0]))
        for key in args[1:]:
            value = value[key]
        print(value)
        return 0
    if cmd == "state-marks":
        docs = glob.glob(os.path.join(args[0], "*.json"))
        if len(docs) != 1:
            print("? ?")
            return 0
        d = json.load(open(docs[0]))
        print(d.get("bytes_downloaded", "?"), d.get("bytes_durable", "?"))
        return 0
    if cmd == "key-hex":
        key = base64.b64decode(args[0], validate=True)
        if len(key) != 32:
            raise SystemExit(f"benchtool: the key is {len(key)} bytes, not 32")
        print(key.hex())
        return 0
    if cmd == "median":
        print(f"{statistics.median(float(x) for x in args):.4f}")
        return 0
    if cmd == "ratio":
        print(f"{float(args[0]) / float(args[1]):.4f}")
        return 0
    raise SystemExit(f"benchtool: unknown command {cmd}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
