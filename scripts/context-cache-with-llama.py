#!/usr/bin/env python3
"""How much of each request a real llama.cpp server can reuse from its prompt cache.

Run by hand; the project's tests do not need it. It uses ../shared/peers: `llama-serve`
(llama.cpp's server with a tiny random-weight model whose words are gibberish but whose prompt
cache and `timings` are real) and `logproxy.py` (a logging proxy between focus and the server).

    scripts/context-cache-with-llama.py [--focus BINARY] [--turns 60] [--peers DIR]

A session runs at time scale 20 (three wall seconds are a session minute) and a line goes to
the coach every three seconds, so the clock, the block and the time left change between every
two turns; check-ins and the coach's lines after them come as they fall due. Per request the
proxy's log gives the server's own figures: `timings.prompt_n` (tokens read fresh) and
`timings.cache_n` (tokens reused from the previous request). Printed:

- the median reuse, cache_n / (cache_n + prompt_n), of the chat turns from the 4th on;
- on chat turns with no summary before them, the fresh tokens against the new message plus
  the previous reply plus 200 (the model's tokens are bytes, so sizes are counted in bytes);
- how many turns paid for a summary of older turns.

The tiny model reads a byte as a token where focus estimates four characters a token, and its
context is 16,384 tokens, so the budget is scaled to fit: `llm.context_tokens = 3500` (about
14,000 bytes; the default 6000 would pass the model's context). Replies are 120 tokens
(`llm.max_reply_tokens`, or the server's `-n 120` for a focus that predates the setting).
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listens on {port}")


def final_chunk(body):
    """The last `data:` event carrying timings in a streamed response."""
    found = None
    for line in body.splitlines():
        if line.startswith("data: {"):
            try:
                event = json.loads(line[6:])
            except json.JSONDecodeError:
                continue
            if "timings" in event:
                found = event
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--focus", default=str(ROOT / "target/release/focus"))
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--no-build", action="store_true", help="use target/release as it is")
    parser.add_argument("--peers", default=str(ROOT.parent / "shared/peers"))
    parser.add_argument("--every", type=float, default=3.0, help="wall seconds between lines")
    parser.add_argument("--show", action="store_true", help="print what focus printed")
    parser.add_argument("--keep-log", help="copy the proxy's log of every request here")
    args = parser.parse_args()
    if args.focus == str(ROOT / "target/release/focus") and not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    peers = Path(args.peers)

    server_port, proxy_port = free_port(), free_port()
    server = subprocess.run(
        [str(peers / "llama-serve"), str(server_port), "16384", "-n", "120"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="focus-cache-"))
    log = work / "requests.jsonl"
    proxy = subprocess.Popen(
        [sys.executable, str(peers / "logproxy.py"), str(proxy_port), str(server_port), str(log)]
    )
    try:
        wait_port(proxy_port)
        run(args, work, proxy_port, log)
        if args.keep_log:
            shutil.copy(log, args.keep_log)
    finally:
        proxy.kill()
        subprocess.run(["kill", server], check=False)
        shutil.rmtree(work, ignore_errors=True)


def run(args, work, proxy_port, log):
    home = work / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", ""),
        "TZ": "UTC",
        "NO_COLOR": "1",
        "OPENAI_API_KEY": "x",
        "FOCUS__LLM__BASE_URL": f"http://127.0.0.1:{proxy_port}/v1",
        "FOCUS__LLM__MODEL": "tiny",
        "FOCUS__LLM__CONTEXT_TOKENS": "3500",
    }
    settings = subprocess.run(
        [args.focus, "config"], env=env, capture_output=True, text=True
    ).stdout
    if "max_reply_tokens" in settings:
        env["FOCUS__LLM__MAX_REPLY_TOKENS"] = "120"
    focus = subprocess.Popen(
        [args.focus, "start", "write the report", "--for", "100m", "--goal", "3 pages",
         "--time-scale", "20"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    screen = []
    reader = threading.Thread(target=lambda: screen.extend(focus.stdout), daemon=True)
    reader.start()
    focus.stdin.write("the introduction\n")
    focus.stdin.flush()
    for i in range(args.turns):
        time.sleep(args.every)
        focus.stdin.write(f"what should the paragraph on point {i} of the report say?\n")
        focus.stdin.flush()
    time.sleep(args.every)
    focus.stdin.write("/quit\n")
    focus.stdin.close()
    focus.wait(timeout=60)
    reader.join(timeout=5)
    if args.show:
        print("".join(screen))
    report(log, args.focus)


def report(log, binary):
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    rows = []
    for entry in entries:
        body = entry.get("body")
        if not isinstance(body, dict) or "messages" not in body:
            continue
        last = body["messages"][-1]["content"]
        chunk = final_chunk(entry.get("resp_tail", "") + entry.get("resp_body", ""))
        if chunk is None:
            continue
        timings, usage = chunk["timings"], chunk.get("usage", {})
        if last.startswith("Summarise this part of our conversation"):
            kind = "summary"
        elif "what should the paragraph on point" in last:
            kind = "chat"
        elif "response_format" in body:
            kind = "plan"
        else:
            kind = "check-in"
        rows.append({
            "kind": kind,
            "fresh": timings["prompt_n"],
            "cached": timings.get("cache_n", 0),
            "message": len(last.encode()),
            "reply": usage.get("completion_tokens", 0),
        })
    chats = [i for i, r in enumerate(rows) if r["kind"] == "chat"]
    reuse = [rows[i]["cached"] / max(1, rows[i]["cached"] + rows[i]["fresh"]) for i in chats[3:]]
    over = []
    within = 0
    summary_turns = 0
    for i in chats[1:]:
        before = rows[i - 1]
        if before["kind"] == "summary":
            summary_turns += 1
            continue
        bound = rows[i]["message"] + before["reply"] + 200
        if rows[i]["fresh"] <= bound:
            within += 1
        else:
            over.append((chats.index(i) + 1, rows[i]["fresh"], bound))
    print(f"focus: {binary}")
    print(f"requests: {len(rows)} ({len(chats)} chat turns, "
          f"{sum(r['kind'] == 'check-in' for r in rows)} check-in lines, "
          f"{sum(r['kind'] == 'summary' for r in rows)} summaries)")
    print("turn  fresh  cached  reuse")
    for n, i in enumerate(chats, 1):
        r = rows[i]
        print(f"{n:4}  {r['fresh']:5}  {r['cached']:6}  {r['cached'] / max(1, r['cached'] + r['fresh']):.2f}")
    print(f"median reuse from the 4th chat turn on: {statistics.median(reuse):.2f}")
    print(f"fresh tokens within message + previous reply + 200: {within} of "
          f"{len(chats) - 1 - summary_turns} turns after the first with no summary before them")
    for n, fresh, bound in over[:10]:
        print(f"  turn {n}: {fresh} fresh, bound {bound}")
    print(f"turns that paid for a summary: {summary_turns} of {len(chats)}")


if __name__ == "__main__":
    main()
