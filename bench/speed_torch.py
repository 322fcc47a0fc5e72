"""PyTorch's half of the speed benchmark: the same workloads as bench/speed_bench.cpp, the same JSON records.

    speed_torch.py train --threads T --batch B --images N
    speed_torch.py scaling --threads T --batch B --images N [--turn IMAGES]
    speed_torch.py infer --threads T
    speed_torch.py conv --threads T

The network is Caffe's LeNet-5 as configs/lenet.json builds it; the data is Fashion-MNIST from Debian's
dataset-fashion-mnist, scaled to [0, 1] as minicnn's "scale" normalization does, preloaded as one tensor.
"""
import argparse
import gzip
import json
import resource
import time

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"


def load_idx(name, header):
    with gzip.open(f"{DATA}/{name}", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(split):
    images = load_idx(f"{split}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    labels = load_idx(f"{split}-labels-idx1-ubyte.gz", 8)
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


def lenet():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2, 2),
                         nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


LEAST_SECONDS = 0.25


def best_times(repeats, bodies):
    """The best timing of each body over at least `repeats` runs and LEAST_SECONDS of runs of each, the
    bodies taking turns: the same rule as speed_bench's best_times."""
    best, total = [float("inf")] * len(bodies), [0.0] * len(bodies)
    r = 0
    while r < repeats or min(total) < LEAST_SECONDS:
        for b, body in enumerate(bodies):
            start = time.perf_counter()
            body()
            seconds = time.perf_counter() - start
            best[b], total[b] = min(best[b], seconds), total[b] + seconds
        r += 1
    return best


def best_time(repeats, body):
    return best_times(repeats, [body])[0]


def emit(record):
    print(json.dumps(record), flush=True)


def timed_training(batch, images, thread_counts, turn):
    """Trains `images` images at each of `thread_counts`: 5 warm-up batches at each count, untimed, then turns
    of `turn` batches at each count in order, timed. Returns {count: [seconds, cpu seconds, batches]}: the
    same rule as speed_bench's timed_training."""
    x, y = load("train")
    torch.manual_seed(1)
    net = lenet()
    loss_fn = nn.CrossEntropyLoss()
    sgd = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    order = torch.randperm(len(y))
    warmup, timed = 5, (images + batch - 1) // batch
    counts = len(thread_counts)
    by_threads = {t: [0.0, 0.0, 0] for t in thread_counts}

    def step(b):
        index = order[b * batch:(b + 1) * batch]
        loss = loss_fn(net(x[index]), y[index])
        sgd.zero_grad()
        loss.backward()
        sgd.step()

    for b in range(warmup * counts):
        torch.set_num_threads(thread_counts[b // warmup])
        step(b)
    b = warmup * counts
    for turn_index in range(timed * counts // turn):
        threads = thread_counts[turn_index % counts]
        torch.set_num_threads(threads)
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(turn):
            step(b)
            b += 1
        figures = by_threads[threads]
        figures[0] += time.perf_counter() - start
        figures[1] += time.process_time() - cpu_start
        figures[2] += turn
    return by_threads


def training_record(mode, threads, batch, figures):
    seconds, cpu, batches = figures
    return {"mode": mode, "threads": threads, "batch": batch, "images_per_s": batches * batch / seconds,
            "images_per_cpu_s": batches * batch / cpu, "peak_rss_mb": peak_rss_mb()}


def bench_train(threads, batch, images):
    batches = (images + batch - 1) // batch
    emit(training_record("train", threads, batch, timed_training(batch, images, [threads], batches)[threads]))


def bench_scaling(threads, batch, images, turn_images):
    """Training at 1 thread and at `threads` in one process, taking turns: speed_bench's scaling mode."""
    turn = max(1, turn_images // batch)
    turns = (images + batch * turn - 1) // (batch * turn)
    by_threads = timed_training(batch, turns * turn * batch, [1, threads], turn)
    for count in (1, threads):
        emit(training_record("scaling", count, batch, by_threads[count]))


def bench_infer():
    x, _ = load("t10k")
    torch.manual_seed(1)
    net = lenet().eval()
    with torch.no_grad():
        big, big_batches, singles = 1000, 5, 2000
        big_seconds = best_time(3, lambda: [net(x[b * big:(b + 1) * big].clone()) for b in range(big_batches)])
        single_seconds = best_time(3, lambda: [net(x[n:n + 1].clone()) for n in range(singles)])
    emit({"mode": "infer", "threads": torch.get_num_threads(),
          "batch1000_images_per_s": big * big_batches / big_seconds,
          "batch1_latency_us": single_seconds / singles * 1e6})


CONV_CASES = [(64, 1, 28, 28, 20, 5, 1, 0), (64, 20, 12, 12, 50, 5, 1, 0), (64, 3, 32, 32, 32, 3, 1, 1),
              (64, 32, 16, 16, 64, 3, 1, 1), (32, 64, 56, 56, 64, 3, 1, 1), (16, 128, 28, 28, 128, 3, 1, 1),
              (64, 3, 32, 32, 16, 3, 2, 1)]


def bench_conv(repeats):
    torch.manual_seed(1)
    for n, c, h, w, oc, k, stride, pad in CONV_CASES:
        x = torch.rand(n, c, h, w) * 2 - 1
        weight = torch.rand(oc, c, k, k) * 2 - 1
        bias = torch.zeros(oc)
        conv = lambda: torch.nn.functional.conv2d(x, weight, bias, stride, pad)
        y = conv()
        dy = torch.rand_like(y) * 2 - 1
        # Input, weight and bias gradients, as minicnn's backward computes them.
        backward = lambda: torch.ops.aten.convolution_backward(
            dy, x, weight, [oc], [stride, stride], [pad, pad], [1, 1], False, [0, 0], 1, [True, True, True])
        conv(), backward()  # warm-up
        forward_s, backward_s = best_times(repeats, [conv, backward])
        oh, ow = y.shape[2], y.shape[3]
        flops = 2.0 * n * oc * oh * ow * c * k * k
        emit({"mode": "conv", "threads": torch.get_num_threads(), "shape": [n, c, h, w, oc, k, stride, pad],
              "forward_gflops": flops / forward_s * 1e-9, "backward_gflops": 2 * flops / backward_s * 1e-9,
              "total_gflops": 3 * flops / (forward_s + backward_s) * 1e-9})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["train", "scaling", "infer", "conv"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--images", type=int, default=12800)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--turn", type=int, default=1024, help="scaling: images a turn at each thread count")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.mode == "train":
        bench_train(args.threads, args.batch, args.images)
    elif args.mode == "scaling":
        bench_scaling(args.threads, args.batch, args.images, args.turn)
    elif args.mode == "infer":
        bench_infer()
    else:
        bench_conv(args.repeats)


if __name__ == "__main__":
    main()
