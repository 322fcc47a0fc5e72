#!/usr/bin/env python3
"""Finds register tiles whose sums live in memory: the innermost loops of minicnn's functions in an object
file that hold a tile's multiply-adds (vfmadd, at least one a row: 6) and also move vectors to or from the
stack.

    python3 scripts/vector_spills.py OBJECT_OR_BINARY...

A register tile keeps its sums in vector registers; when the compiler keeps them on the stack instead,
loaded and stored at every step, the kernel runs at a third to half its rate with the same results, which
no test sees (docs/performance.md, item 24). Prints each such loop (its function, instructions, multiply-
adds and vector stack accesses) and exits 1 if there is one. Compile a kernel's file for another CPU to
check it there, e.g. `g++ -O3 -march=haswell -std=c++20 -I. -c core/direct_conv.cpp -o /tmp/x.o`.
"""
import re
import subprocess
import sys

JUMP = re.compile(r"j\w+\s+([0-9a-f]+)\b")
FUNCTION = re.compile(r"^[0-9a-f]+ <(.*)>:$")
INSTRUCTION = re.compile(r"^\s+([0-9a-f]+):\s+(.*)$")
TILE_ROWS = 6  # kTileRows, core/register_tile.hpp


def loops(instructions):
    """(first, last) indices of each loop: a jump back to an earlier address of the same function."""
    index = {address: i for i, (address, _) in enumerate(instructions)}
    for last, (address, text) in enumerate(instructions):
        jump = JUMP.match(text)
        target = int(jump.group(1), 16) if jump else None
        if target is not None and target < address and target in index:
            yield index[target], last


def spilled_loops(function, instructions):
    found = list(loops(instructions))
    for first, last in found:
        if any(first <= f and l <= last and (f, l) != (first, last) for f, l in found):
            continue  # not innermost
        body = [text for _, text in instructions[first:last + 1]]
        fmas = sum("vfmadd" in t for t in body)
        spills = sum(re.search(r"\(%r[sb]p\)", t) is not None and re.search(r"[xyz]mm", t) is not None for t in body)
        if fmas >= TILE_ROWS and spills:
            yield f"{spills:3d} vector stack accesses, {fmas:3d} multiply-adds, {len(body):4d} instructions: {function}"


def main(paths):
    reports = []
    for path in paths:
        listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", path], check=True,
                                 capture_output=True, text=True).stdout
        function, instructions = None, []
        for line in listing.splitlines() + [""]:
            start = FUNCTION.match(line)
            if start or not line:
                if function and "minicnn::" in function:
                    reports += spilled_loops(function, instructions)
                function, instructions = (start.group(1), []) if start else (None, [])
                continue
            instruction = INSTRUCTION.match(line)
            if instruction and function:
                instructions.append((int(instruction.group(1), 16), instruction.group(2)))
    print("\n".join(reports) if reports else "no innermost multiply-add loop moves vectors to or from the stack")
    return 1 if reports else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
