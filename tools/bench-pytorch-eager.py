#!/usr/bin/python3
"""Batch-1 latency of Python PyTorch eager on a segbench graph, for comparison with the pytorch backend.

The model is the ONNX graph segbench builds from the checkpoint (write it with
`./segbench models export --model arch0 --weights CKPT.pth --out arch0.onnx`), executed op by op with
torch.nn.functional: the same weights, the same operators and the same order as the backend's interpreter, which is
what PyTorch eager does with the original NAS-segm module (conv2d / relu / hardtanh / add / cat / adaptive_avg_pool2d /
interpolate, batch norm folded into the convolutions). The shape sub-graph (Shape/Slice/Concat/...) runs on the host
the way libtorch's eager mode computes sizes in Python.

Usage: tools/bench-pytorch-eager.py MODEL.onnx [--threads N] [--size 512] [--iterations 20] [--warmup 3]
Prints the p50 in ms and the torch version and parallel settings. Needs python3-torch and python3-onnx (Debian).
"""
import argparse
import statistics
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def resize(x, sizes, scales, mode_attrs):
    if mode_attrs.get("mode", b"nearest") != b"linear":
        raise SystemExit("only linear Resize is supported, got %r" % mode_attrs.get("mode"))
    if sizes is not None and sizes.numel() > 0:
        out = [int(v) for v in sizes.tolist()[2:]]
        return F.interpolate(x, size=out, mode="bilinear", align_corners=False)
    return F.interpolate(x, scale_factor=[float(v) for v in scales.tolist()[2:]], mode="bilinear",
                         align_corners=False, recompute_scale_factor=False)


def run_graph(graph, weights, x):
    """Evaluates the graph; ints (shape arithmetic) stay int64 tensors, the rest is float32 eager work."""
    v = dict(weights)
    v[graph.input[0].name] = x
    for n in graph.node:
        a = attrs(n)
        i = [v[name] if name else None for name in n.input]
        op = n.op_type
        if op == "Conv":
            pads = a.get("pads", [0, 0, 0, 0])
            xin = i[0]
            if pads[0] != pads[2] or pads[1] != pads[3]:
                xin = F.pad(xin, (pads[1], pads[3], pads[0], pads[2]))
                pads = [0, 0, 0, 0]
            y = F.conv2d(xin, i[1], i[2] if len(i) > 2 else None, stride=a.get("strides", [1, 1]),
                         padding=(pads[0], pads[1]), dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
        elif op == "Relu":
            y = F.relu(i[0])
        elif op == "Clip":
            lo = float(i[1]) if len(i) > 1 and i[1] is not None else None
            hi = float(i[2]) if len(i) > 2 and i[2] is not None else None
            y = F.hardtanh(i[0], lo, hi) if lo is not None and hi is not None else torch.clamp(i[0], lo, hi)
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Sub":
            y = i[0] - i[1]
        elif op == "Mul":
            y = i[0] * i[1]
        elif op == "Div":
            y = i[0] // i[1] if not i[0].is_floating_point() else i[0] / i[1]
        elif op in ("GlobalAveragePool", "ReduceMean"):
            y = F.adaptive_avg_pool2d(i[0], 1)
        elif op == "Expand":
            y = i[0].expand([int(d) for d in i[1].tolist()])
        elif op == "Resize":
            y = resize(i[0], i[3] if len(i) > 3 else None, i[2] if len(i) > 2 else None, a)
        elif op == "Concat":
            y = torch.cat(i, dim=a["axis"])
        elif op == "Shape":
            y = torch.tensor(i[0].shape, dtype=torch.int64)
        elif op == "Slice":
            starts, ends = i[1].tolist(), i[2].tolist()
            axes = i[3].tolist() if len(i) > 3 and i[3] is not None else list(range(len(starts)))
            y = i[0]
            for s, e, ax in zip(starts, ends, axes):
                y = y.narrow(ax, s, min(e, y.shape[ax]) - s)
        elif op == "Gather":
            y = torch.index_select(i[0], a.get("axis", 0), i[1].reshape(-1)).reshape(i[1].shape)
        elif op == "Unsqueeze":
            y = i[0]
            for ax in sorted(i[1].tolist()):
                y = y.unsqueeze(ax)
        elif op == "Cast":
            to = {1: torch.float32, 2: torch.uint8, 7: torch.int64, 10: torch.float16}[a["to"]]
            y = i[0].to(to)
        elif op == "ArgMax":
            y = torch.argmax(i[0], dim=a.get("axis", 0), keepdim=bool(a.get("keepdims", 1)))
        elif op == "Identity":
            y = i[0]
        elif op == "Constant":
            y = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
        else:
            raise SystemExit("op %s is not implemented by this script" % op)
        v[n.output[0]] = y
    return v[graph.output[0].name]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("onnx")
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (0 = torch's default)")
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(args.threads)
    model = onnx.load(args.onnx)
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    x = torch.from_numpy(np.random.default_rng(1).standard_normal((1, 3, args.size, args.size), dtype=np.float32))
    times = []
    with torch.inference_mode():
        for it in range(args.warmup + args.iterations):
            t0 = time.perf_counter()
            run_graph(model.graph, weights, x)
            if it >= args.warmup:
                times.append((time.perf_counter() - t0) * 1000)
    print("pytorch-eager %s %s %dx%d threads %d (interop %d), %d runs: p50 %.1f ms"
          % (torch.__version__, args.onnx, args.size, args.size, torch.get_num_threads(),
             torch.get_num_interop_threads(), len(times), statistics.median(times)))


if __name__ == "__main__":
    main()
