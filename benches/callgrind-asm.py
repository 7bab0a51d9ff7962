#!/usr/bin/env python3
"""Instructions executed per machine instruction of one function, from callgrind.

The extractors' hot loops are inlined into one function each (the JSON one is
`count_x86`), so callgrind's per-source-line view mixes lines from a dozen files.
This joins callgrind's per-address counts with `objdump -d -l`, so each
instruction of the loop shows how often it ran and which source line it came
from. Used for the per-line instruction figures in the issue notes.

    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=out.cg \
        target/release/logstat -j1 -o json FILE
    python3 benches/callgrind-asm.py out.cg count_x86 target/release/logstat > out.asm

A fourth argument picks another event column (0 = Ir; with --branch-sim=yes,
2 = mispredicted conditional branches).
"""

import collections
import re
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out_file, pattern, binary = sys.argv[1:4]
    event = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    counts = collections.Counter()
    names = {}
    fn = None
    last = [0, 0]
    in_call = False

    def number(s):
        return int(s, 16) if s.startswith("0x") else int(s)

    with open(out_file) as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?$", line)
            if m:
                if m.group(3):
                    names[m.group(2)] = m.group(3)
                if m.group(1) == "fn":
                    fn = names[m.group(2)]
                continue
            if line.startswith("calls="):
                in_call = True
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            parts = line.split()
            position = []
            for i, a in enumerate(parts[:2]):
                if a.startswith("+"):
                    position.append(last[i] + number(a[1:]))
                elif a.startswith("-"):
                    position.append(last[i] - number(a[1:]))
                elif a == "*":
                    position.append(last[i])
                else:
                    position.append(number(a))
            last = position
            if in_call:
                # The cost line after `calls=` is the call's inclusive cost.
                in_call = False
                continue
            if fn and pattern in fn and len(parts) > 2 + event:
                counts[position[0]] += int(parts[2 + event])
    if not counts:
        sys.exit(f"no function matching {pattern!r} in {out_file}")
    print(f"{len(counts)} instructions, {sum(counts.values())} events", file=sys.stderr)
    dump = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", "-l",
         f"--start-address={min(counts)}", f"--stop-address={max(counts) + 16}", binary],
        capture_output=True, text=True, check=True,
    ).stdout
    for line in dump.splitlines():
        m = re.match(r"\s+([0-9a-f]+):\s+(.*)", line)
        if m:
            print("%8d  %s  %s" % (counts.get(int(m.group(1), 16), 0), m.group(1), m.group(2)))
        else:
            print("          " + line)


if __name__ == "__main__":
    main()
