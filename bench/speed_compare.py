"""Runs minicnn (bench/speed_bench) and PyTorch (bench/speed_torch.py) side by side on issue 4's workloads,
alternating them round by round so that machine noise hits both, and prints a markdown table of the
medians with ratios (and of each round's 2-thread-over-1 ratio), then the same figures as JSON.

    speed_compare.py SPEED_BENCH CONFIG [--rounds R] [--threads 1,2] [--json FILE]

PyTorch runs twice per round: as installed, and with glibc told to keep freed memory
(MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_), since on machines that fault returned memory back in
slowly its allocator's habit of returning large blocks costs it much of its speed.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEEP_MEMORY = {"MALLOC_MMAP_THRESHOLD_": str(1 << 31), "MALLOC_TRIM_THRESHOLD_": str(1 << 31),
               "MALLOC_TOP_PAD_": str(1 << 28)}
FRAMEWORKS = ["minicnn", "pytorch", "pytorch_kept"]
TURN_IMAGES = 1024  # images a turn at each thread count, in the scaling runs


def run(framework, mode, threads, extra, args):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS=str(threads))
    if framework == "minicnn":
        command = [args.speed_bench, mode] + ([args.config] if mode != "conv" else [])
    else:
        command = ["/usr/bin/python3", os.path.join(HERE, "speed_torch.py"), mode]
        if framework == "pytorch_kept":
            env.update(KEEP_MEMORY)
    command += ["--threads", str(threads)] + extra
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def median_records(rounds):
    """The element-wise median of several runs' records (same order, same keys)."""
    merged = []
    for records in zip(*rounds):
        m = dict(records[0])
        for key, value in records[0].items():
            if isinstance(value, float):
                m[key] = statistics.median(r[key] for r in records)
        merged.append(m)
    return merged


def measure(args):
    """Medians of the rounds, by job name and framework; and each round's 2-thread-over-1 training ratios, both
    from separate runs and from the runs that take turns at the two thread counts.

    A framework's runs of one workload at each thread count follow each other, so that a ratio between them
    compares runs seconds apart, not minutes: this machine's speed drifts from minute to minute, and from
    second to second, which the turns of the scaling runs (a second or less each) share between the counts."""
    threads = [int(t) for t in args.threads.split(",")]
    workloads = []  # (mode, extra arguments, frameworks, thread counts to run, name of the job at t threads)
    for batch in (16, 64, 256):
        images = max(6400, 50 * batch)
        extra = ["--batch", str(batch), "--images", str(images)]
        workloads.append(("train", extra, FRAMEWORKS, threads, lambda t, batch=batch: f"train/{t}/{batch}"))
        if len(threads) > 1:
            workloads.append(("scaling", extra + ["--turn", str(TURN_IMAGES)], FRAMEWORKS, threads[-1:],
                              lambda t, batch=batch: f"scaling/{batch}"))
    workloads.append(("infer", [], FRAMEWORKS, threads, lambda t: f"infer/{t}"))
    workloads.append(("conv", [], ["minicnn", "pytorch"], threads, lambda t: f"conv/{t}"))
    results = {}
    for round_index in range(args.rounds):
        for mode, extra, frameworks, counts, name_at in workloads:
            for framework in (frameworks if round_index % 2 == 0 else list(reversed(frameworks))):
                for t in counts:
                    name = name_at(t)
                    print(f"round {round_index + 1}/{args.rounds}: {framework} {name}", file=sys.stderr, flush=True)
                    results.setdefault(name, {}).setdefault(framework, []).append(run(framework, mode, t, extra, args))
    scaling = {}
    if len(threads) > 1:
        for batch in (16, 64, 256):
            low, high = results[f"train/{threads[0]}/{batch}"], results[f"train/{threads[-1]}/{batch}"]
            turns = results[f"scaling/{batch}"]
            scaling[str(batch)] = {
                "separate": {fw: [ratio(h[0]["images_per_s"], l[0]["images_per_s"]) for l, h in zip(low[fw], high[fw])]
                             for fw in FRAMEWORKS},
                "turns": {fw: [ratio(r[-1]["images_per_s"], r[0]["images_per_s"]) for r in turns[fw]] for fw in FRAMEWORKS}}
    figures = {name: {fw: median_records(rounds) for fw, rounds in by_framework.items()}
               for name, by_framework in results.items()}
    return figures, scaling, threads


def ratio(a, b):
    return a / b if b else float("nan")


def report(figures, scaling, threads):
    lines = []
    add = lines.append
    def training_table(key):
        add("| threads | batch | minicnn | PyTorch | PyTorch, memory kept | minicnn / PyTorch | minicnn / kept |")
        add("|---:|---:|---:|---:|---:|---:|---:|")
        for t in threads:
            for batch in (16, 64, 256):
                m, p, k = (figures[f"train/{t}/{batch}"][x][0][key] for x in FRAMEWORKS)
                add(f"| {t} | {batch} | {m:,.0f} | {p:,.0f} | {k:,.0f} | {ratio(m, p):.2f} | {ratio(m, k):.2f} |")

    add("## Training LeNet-5 on Fashion-MNIST (images/s, median of the rounds)\n")
    training_table("images_per_s")
    add("\nThe same per CPU-second of the process (images / CPU time; at 1 thread, the rate an idle core would "
        "give, whatever else the machine runs):\n")
    training_table("images_per_cpu_s")
    if scaling:
        add(f"\n## Scaling: training images/s at {threads[-1]} threads over {threads[0]}\n")
        add(f"The median of the rounds' ratios, and their range. Taking turns: one process trains at {threads[0]} and "
            f"at {threads[-1]} threads in turns of {TURN_IMAGES} images (`speed_bench scaling`, `speed_torch.py scaling`), "
            "so that the machine's changes of speed from second to second hit both counts alike. Separate runs: "
            "the training runs above, one after the other.\n")
        add("| batch | minicnn, taking turns | PyTorch, taking turns | PyTorch kept, taking turns | minicnn, separate runs "
            "| PyTorch, separate runs | PyTorch kept, separate runs |")
        add("|---:|---:|---:|---:|---:|---:|---:|")
        for batch, by_method in scaling.items():
            add(f"| {batch} | " + " | ".join(
                f"{statistics.median(r):.2f}x ({min(r):.2f}-{max(r):.2f})"
                for r in (by_method[method][x] for method in ("turns", "separate") for x in FRAMEWORKS)) + " |")
    add("\n## Peak resident memory of the training process (MB, batch 64)\n")
    add("| threads | minicnn | PyTorch | PyTorch, memory kept |")
    add("|---:|---:|---:|---:|")
    for t in threads:
        f = figures[f"train/{t}/64"]
        add(f"| {t} | " + " | ".join(f"{f[x][0]['peak_rss_mb']:.0f}" for x in FRAMEWORKS) + " |")
    add("\n## Inference\n")
    add("| threads | figure | minicnn | PyTorch | PyTorch, memory kept | PyTorch / minicnn (kept) |")
    add("|---:|---|---:|---:|---:|---:|")
    for t in threads:
        f = figures[f"infer/{t}"]
        m, p, k = (f[x][0] for x in FRAMEWORKS)
        add(f"| {t} | batch 1000, images/s | {m['batch1000_images_per_s']:,.0f} | {p['batch1000_images_per_s']:,.0f} | "
            f"{k['batch1000_images_per_s']:,.0f} | {ratio(m['batch1000_images_per_s'], p['batch1000_images_per_s']):.2f} "
            f"({ratio(m['batch1000_images_per_s'], k['batch1000_images_per_s']):.2f}) |")
        add(f"| {t} | batch 1, latency µs | {m['batch1_latency_us']:.0f} | {p['batch1_latency_us']:.0f} | "
            f"{k['batch1_latency_us']:.0f} | {ratio(p['batch1_latency_us'], m['batch1_latency_us']):.2f} "
            f"({ratio(k['batch1_latency_us'], m['batch1_latency_us']):.2f}) |")
    for t in threads:
        add(f"\n## conv2d forward + backward, {t} thread(s) (GFLOP/s: the definition's multiply-adds per "
            "second, whatever the algorithm; backward = input and weight gradients)\n")
        add("Efficiency: minicnn's total over the sgemm's, a ratio of figures from one run (the median of the "
            "rounds' ratios).\n")
        add("| N,C,H,W,OC,K,s,p | minicnn's algorithm | minicnn fwd | minicnn bwd | minicnn total | PyTorch fwd | "
            "PyTorch bwd | PyTorch total | sgemm total | efficiency | minicnn / PyTorch |")
        add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for m, p in zip(figures[f"conv/{t}"]["minicnn"], figures[f"conv/{t}"]["pytorch"]):
            add(f"| {','.join(map(str, m['shape']))} | {m['algorithm']} | {m['forward_gflops']:.1f} | {m['backward_gflops']:.1f} | "
                f"{m['total_gflops']:.1f} | {p['forward_gflops']:.1f} | {p['backward_gflops']:.1f} | "
                f"{p['total_gflops']:.1f} | {m['sgemm_total_gflops']:.1f} | "
                f"{m['efficiency']:.2f} | {ratio(m['total_gflops'], p['total_gflops']):.2f} |")
    return "\n".join(lines)


def machine():
    """The CPU and the kernels OpenBLAS chose for it: OpenBLAS 0.3.21 picks them from the CPU's model, falls
    back to old ones (Prescott's SSE3) for a model it does not know unless OPENBLAS_CORETYPE names others,
    and the bare sgemm that the efficiency divides by is only as fast as those kernels."""
    import ctypes
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 "unknown")
    openblas = ctypes.CDLL("libopenblas.so.0")
    openblas.openblas_get_corename.restype = ctypes.c_char_p
    core = openblas.openblas_get_corename().decode()
    return {"cpu": model, "cores": os.cpu_count(), "openblas_core": core,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("speed_bench")
    parser.add_argument("config")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    figures, scaling, threads = measure(args)
    where = machine()
    print(f"Machine: {where['cpu']}, {where['cores']} cores; OpenBLAS kernels: {where['openblas_core']} "
          f"(OPENBLAS_CORETYPE={where['openblas_coretype'] or 'not set'})\n")
    print(report(figures, scaling, threads))
    everything = dict(figures, scaling=scaling, machine=where)
    print("\n```json\n" + json.dumps(everything, indent=1) + "\n```")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(everything, f, indent=1)


if __name__ == "__main__":
    main()
