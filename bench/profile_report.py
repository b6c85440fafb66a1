"""Read py-spy's collapsed stacks (`bench/billing_run.py --profile DIR` writes DIR/billing.txt,
`bench/ingestion.py --profile DIR` DIR/gunicorn.txt): the frames with the most samples, inclusive
(the frame anywhere on the stack, counted once a sample) and self (the frame on top), and with
--focus the direct callees of the frames whose name contains the text.

    .venv/bin/python bench/profile_report.py DIR/billing.txt [--top 40] [--focus bill_locked]
                                                             [--within subscriptions_bill_task]

--within keeps only the samples whose stack has a frame containing the text (e.g. a chunk's task,
leaving the tick and the idle pool out). py-spy samples at 100 Hz: 100 samples = 1 s of CPU.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def frame_name(frame: str) -> str:
    """`function (path/to/file.py:123)` -> `function (file.py)`: one name per function."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0].rstrip(")")
    return f"{name} ({'/'.join(path.split('/')[-2:])})" if path else name


def read(path: Path, within: str) -> list[tuple[list[str], int]]:
    samples = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [frame_name(f) for f in stack.split(";")]
        if within and not any(within in f for f in frames):
            continue
        samples.append((frames, int(count)))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--focus", default="")
    parser.add_argument("--within", default="")
    args = parser.parse_args()
    samples = read(args.file, args.within)
    total = sum(count for _, count in samples)
    if not total:
        where = f" within {args.within}" if args.within else ""
        raise SystemExit(f"{args.file}: no samples{where}")
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    callees: Counter[str] = Counter()
    for frames, count in samples:
        for name in set(frames):
            inclusive[name] += count
        own[frames[-1]] += count
        if args.focus:
            seen = set()
            for i, name in enumerate(frames[:-1]):
                if args.focus in name and frames[i + 1] not in seen:
                    seen.add(frames[i + 1])
                    callees[frames[i + 1]] += count
    print(f"{total} samples ({total / 100:.1f} s of CPU at 100 Hz)")
    for title, counter in (("inclusive", inclusive), ("self", own), ("callees", callees)):
        if not counter:
            continue
        print(f"\n{title}:")
        for name, count in counter.most_common(args.top):
            print(f"{count:7d} {100 * count / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
