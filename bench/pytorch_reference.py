#!/usr/bin/python3
"""PyTorch side of `workbook bench`.

A long-lived child process: `workbook bench` starts it once with /usr/bin/python3, so Python's
start-up and `import torch` are never timed, then sends one JSON command per line on stdin and
reads one JSON answer per line on stdout. Every answer has "ok": true, or "ok": false and "error".

The work mirrors the workbook's C# code step by step, so that the two timings measure the same
thing and their ratio is the cost of TorchSharp + libtorch 2.10 against Python + this PyTorch:

  load   gunzip + parse + check the four IDX files (header, sizes, label range, content SHA-256;
         Python's gzip module checks the CRC-32 and length trailer), then images to float32 [N,1,28,28]
         scaled to [0,1] and labels to int64 (lib/Data/Idx.cs, lib/Data/FashionMnist.cs).
  build  the models of lib/Models/ModelZoo.cs with the same layers in the same order and PyTorch's
         default initialisation (which TorchSharp's layers also use).
  epoch  one epoch of lib/Training/Trainer.cs: a permutation, batches by index_select, zero_grad,
         forward, cross-entropy, backward, Adam step, loss and accuracy summed on the device.
  eval   lib/Evaluation/Evaluator.cs: no_grad, batches of 1000 in order, loss and predictions.

On a GPU (`workbook bench --gpu`, init's "device": "cuda") the training and test tensors are copied
to the device once, outside the timed loops, as the workbook's Trainer does; an epoch may be given the
workbook's own permutation ("order_file": raw little-endian int64), so both sides see the same batches;
and every timed region ends with torch.cuda.synchronize(), so queued GPU work is counted.

Commands (JSON objects, one per line):
  {"cmd": "init", "threads": 2, "data_dir": "/usr/share/datasets/fashion-mnist", "device": "cpu"}
  {"cmd": "load"}                                    -> {"seconds": ...}
  {"cmd": "build", "model": "e1", "classes": 10, "seed": 0} -> {"parameters": ..., "shapes": [...]}
  {"cmd": "epoch", "model": "e1", "batch": 64, "lr": 0.001, "images": 60000, "epoch": 1, "order_file": null}
                                                     -> {"seconds": ..., "loss": ..., "accuracy": ...}
  {"cmd": "eval", "model": "e1", "batch": 1000}      -> {"seconds": ..., "accuracy": ...}
  {"cmd": "memory"}                                  -> {"vm_hwm_bytes": ..., "vm_rss_bytes": ...}
  {"cmd": "quit"}
"""

import gzip
import hashlib
import json
import os
import sys
import time
import traceback

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # reported as the first line, so the caller can say what is missing
    print(json.dumps({"ok": False, "error": f"cannot import {e.name}: {e}"}), flush=True)
    sys.exit(3)

FILES = {
    "train-images-idx3-ubyte": (0x00000803, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    "train-labels-idx1-ubyte": (0x00000801, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    "t10k-images-idx3-ubyte": (0x00000803, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    "t10k-labels-idx1-ubyte": (0x00000801, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
}


def read_idx(directory, name):
    """Bytes of one IDX file (gzipped or not), checked like lib/Data/Idx.cs does."""
    path = os.path.join(directory, name + ".gz")
    if os.path.exists(path):
        with open(path, "rb") as f:
            content = gzip.decompress(f.read())  # checks the CRC-32 and length trailer
    else:
        path = os.path.join(directory, name)
        with open(path, "rb") as f:
            content = f.read()
    magic, sha = FILES[name]
    if int.from_bytes(content[0:4], "big") != magic:
        raise ValueError(f"{path}: wrong magic number")
    rank = magic & 0xFF
    dims = [int.from_bytes(content[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    header = 4 + 4 * rank
    if len(content) - header != int(np.prod(dims)):
        raise ValueError(f"{path}: size does not match the header")
    if hashlib.sha256(content).hexdigest() != sha:
        raise ValueError(f"{path}: content SHA-256 differs from the original")
    return dims, np.frombuffer(content, dtype=np.uint8, offset=header)


def load(directory):
    """(train_images, train_labels, test_images, test_labels) as torch tensors."""
    out = []
    for images, labels in (("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                           ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")):
        dims, pixels = read_idx(directory, images)
        (count,), values = read_idx(directory, labels)
        if dims[0] != count or dims[1:] != [28, 28]:
            raise ValueError("image and label files do not match")
        if values.max(initial=0) >= 10:
            raise ValueError("label outside 0..9")
        x = torch.from_numpy(pixels.copy()).view(count, 1, 28, 28).to(torch.float32).div_(255.0)
        y = torch.from_numpy(values.copy()).to(torch.int64)
        out += [x, y]
    return out


def conv3(cin, cout):
    return nn.Conv2d(cin, cout, 3, padding=1)


def build(name, classes):
    """The ModelZoo model of that name, layer for layer (lib/Models/ModelZoo.cs)."""
    if name == "net2":  # Mlp([128, 64])
        layers = [nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, classes)]
    elif name == "e1":
        layers = [conv3(1, 32), nn.ReLU(), nn.MaxPool2d(2), conv3(32, 32), nn.ReLU(), nn.Flatten(),
                  nn.Linear(14 * 14 * 32, 512), nn.ReLU(), nn.Linear(512, classes)]
    elif name in ("e4", "e5"):  # E4(classes, dropout: name == "e5")
        def drop(p):
            return [nn.Dropout(p)] if name == "e5" else []
        layers = [conv3(1, 32), nn.ReLU(), nn.MaxPool2d(2), *drop(0.25),
                  conv3(32, 64), nn.ReLU(), nn.MaxPool2d(2), *drop(0.25),
                  conv3(64, 128), nn.ReLU(), *drop(0.25),
                  conv3(128, 128), nn.ReLU(), nn.MaxPool2d(2), *drop(0.25),
                  nn.Flatten(),
                  nn.Linear(3 * 3 * 128, 512), nn.ReLU(), *drop(0.5),
                  nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, classes)]
    else:
        raise ValueError(f"no PyTorch definition of model '{name}' (known: net2, e1, e4, e5)")
    return nn.Sequential(*layers)


def memory():
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0]) * 1024
    return {"vm_hwm_bytes": values.get("VmHWM", 0), "vm_rss_bytes": values.get("VmRSS", 0)}


class Bench:
    def __init__(self):
        self.data_dir = None
        self.data = None
        self.models = {}
        self.device = torch.device("cpu")
        self.on_device = None  # the data copied to a GPU, once per load

    def sync(self):
        """Waits for queued GPU work, so that a timed region counts it (nothing to wait for on the CPU)."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def init(self, c):
        torch.set_num_threads(int(c["threads"]))
        self.data_dir = c["data_dir"]
        self.device = torch.device(c.get("device") or "cpu")
        answer = {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
                  "threads": torch.get_num_threads(), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
                  "device": str(self.device)}
        if self.device.type == "cuda":
            if not torch.cuda.is_available():
                raise RuntimeError(f"device {self.device} asked for, but this PyTorch ({torch.__version__}) sees no GPU")
            answer["device_name"] = torch.cuda.get_device_name(self.device)
            answer["cuda"] = torch.version.cuda
            answer["cudnn"] = str(torch.backends.cudnn.version())
        return answer

    def data_on_device(self):
        """(train images, train labels, test images, test labels) on the device; copied once, untimed."""
        if self.device.type == "cpu":
            return self.data
        if self.on_device is None:
            self.on_device = [t.to(self.device) for t in self.data]
            self.sync()
        return self.on_device

    def load(self, c):
        start = time.perf_counter()
        data = load(self.data_dir)
        seconds = time.perf_counter() - start
        self.data = data
        self.on_device = None
        return {"seconds": seconds, "train": int(data[0].shape[0]), "test": int(data[2].shape[0])}

    def build(self, c):
        torch.manual_seed(int(c.get("seed", 0)))
        model = build(c["model"], int(c["classes"])).to(self.device)
        optimizer = torch.optim.Adam(model.parameters(), lr=float(c.get("lr", 1e-3)))
        self.models[c["model"]] = (model, optimizer)
        return {"parameters": sum(p.numel() for p in model.parameters()),
                "shapes": [list(p.shape) for p in model.parameters()]}

    def epoch(self, c):
        model, optimizer = self.models[c["model"]]
        images, labels = self.data_on_device()[0:2]
        n = min(int(c.get("images", images.shape[0])), images.shape[0])
        batch = int(c["batch"])
        model.train()
        given = None
        if c.get("order_file"):  # the workbook's permutation of this epoch, read before the clock starts
            given = np.fromfile(c["order_file"], dtype="<i8")
            if given.shape[0] != n:
                raise ValueError(f"order_file has {given.shape[0]} indices for {n} images")
        start = time.perf_counter()
        if given is not None:
            order = torch.from_numpy(given).to(self.device)
        else:
            rng = np.random.default_rng(int(c.get("epoch", 1)))
            order = torch.from_numpy(rng.permutation(n).astype(np.int64)).to(self.device)
        loss_sum = torch.zeros(1, dtype=torch.float64, device=self.device)
        correct = torch.zeros(1, dtype=torch.int64, device=self.device)
        for first in range(0, n, batch):
            idx = order.narrow(0, first, min(batch, n - first))
            x = images.index_select(0, idx)
            y = labels.index_select(0, idx)
            optimizer.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            loss_sum.add_(loss.detach().to(torch.float64).mul(idx.shape[0]))
            correct.add_(logits.argmax(1).eq(y).sum())
        self.sync()
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "images": n, "loss": loss_sum.item() / n, "accuracy": correct.item() / n}

    def eval(self, c):
        model, _ = self.models[c["model"]]
        images, labels = self.data_on_device()[2:4]
        batch = int(c.get("batch", 1000))
        model.eval()
        predictions = np.empty(images.shape[0], dtype=np.int64)
        loss_sum = 0.0
        start = time.perf_counter()
        with torch.no_grad():
            for first in range(0, images.shape[0], batch):
                n = min(batch, images.shape[0] - first)
                x = images.narrow(0, first, n)
                y = labels.narrow(0, first, n)
                logits = model(x).nan_to_num(0.0)
                loss_sum += F.cross_entropy(logits, y).item() * n
                predictions[first:first + n] = logits.argmax(1).cpu().numpy()
        self.sync()
        seconds = time.perf_counter() - start
        accuracy = float((predictions == labels.cpu().numpy()).mean())
        return {"seconds": seconds, "images": int(images.shape[0]), "loss": loss_sum / images.shape[0], "accuracy": accuracy}

    def memory(self, c):
        return memory()


def main():
    bench = Bench()
    handlers = {"init": bench.init, "load": bench.load, "build": bench.build, "epoch": bench.epoch,
                "eval": bench.eval, "memory": bench.memory}
    print(json.dumps({"ok": True, "ready": True, "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            command = json.loads(line)
            if command.get("cmd") == "quit":
                print(json.dumps({"ok": True}), flush=True)
                break
            handler = handlers.get(command.get("cmd"))
            if handler is None:
                raise ValueError(f"unknown command {command.get('cmd')!r}")
            answer = handler(command)
            answer["ok"] = True
        except Exception as e:  # one failed command is answered, the process carries on
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
