"""Launch a short multi-worker training on this machine: N worker processes on localhost, each
told its role through ``TF_CONFIG``, training the course's dense autoencoder under
``tf.distribute.MultiWorkerMirroredStrategy``.

    python -m course_lib.multiworker --workers 2 --epochs 2 --out /tmp/mw

On a real cluster only the addresses in ``TF_CONFIG`` change (one host:port per machine) and each
machine runs the same worker command. Writes ``result.json`` (per-epoch loss from the chief).

Network: each worker runs a TensorFlow gRPC server that executes whatever graph a client sends
it, without authentication; TensorFlow's security guidance keeps its distributed runtime to
trusted networks. TensorFlow binds that server to every interface (``0.0.0.0:PORT``, hard-coded
in ``GrpcServer::Init``; the host written in ``TF_CONFIG``, even ``127.0.0.1``, only names the
task), so by default (``network="private"``) the workers run inside a fresh Linux network
namespace (``unshare``) whose only interface is loopback: they reach each other, nothing outside
reaches them. ``network="host"`` (``--network host``) skips that where namespaces are missing
(macOS, Windows, locked-down containers) -- then use it only on a trusted network.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["free_ports", "tf_config", "launch", "private_network_available", "NETWORKS",
           "main"]

NETWORKS = ("private", "host")
# ways to start a process in a new network namespace: unprivileged (user namespace), then as root
_PRIVATE_NETWORK_COMMANDS = (("unshare", "--user", "--map-root-user", "--net"),
                             ("unshare", "--net"))


def free_ports(n: int) -> list[int]:
    """n TCP ports that are free on localhost right now."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def tf_config(ports, index: int) -> str:
    """The TF_CONFIG of worker ``index`` in a cluster of localhost workers (worker 0 is chief)."""
    if not 0 <= index < len(ports):
        raise ValueError(f"index must be in [0, {len(ports) - 1}], got {index}")
    return json.dumps({"cluster": {"worker": [f"localhost:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def _worker(args) -> None:
    """Runs inside each worker process; TF_CONFIG is already in the environment.

    An explicit loop rather than ``Model.fit``: Keras 3's fit fails under
    MultiWorkerMirroredStrategy while building the model from the first distributed batch, and
    the loop shows what fit does for every replica anyway.
    """
    import keras
    import tensorflow as tf

    from course_lib import data, models, training

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    training.set_seed(0)  # same seed everywhere: identical initial weights on every worker
    fm = data.load_fashion_mnist(flatten=True, subset=args.subset)
    # every worker builds the same pipeline; DATA sharding hands each a disjoint part of every
    # global batch
    ds = tf.data.Dataset.from_tensor_slices(fm.x_train).batch(args.batch_size, drop_remainder=True)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dist_ds = strategy.experimental_distribute_dataset(ds.with_options(options))
    with strategy.scope():
        model = models.dense_autoencoder(784, 32, (128,))
        optimizer = keras.optimizers.Adam(2e-3)

    def replica_step(x):
        with tf.GradientTape() as tape:
            per_example = tf.reduce_mean(tf.square(x - model(x, training=True)), axis=-1)
            # divide by the GLOBAL batch size: the all-reduce then sums the replicas' gradients
            # into exactly the gradient of the global-batch mean
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=args.batch_size)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def train_step(batch):
        return strategy.reduce("SUM", strategy.run(replica_step, args=(batch,)), axis=None)

    losses = []
    for _ in range(args.epochs):
        batch_losses = [float(train_step(batch)) for batch in dist_ds]
        losses.append(sum(batch_losses) / len(batch_losses))
    task = json.loads(os.environ["TF_CONFIG"])["task"]
    if task["index"] == 0:
        Path(args.out, "result.json").write_text(json.dumps({
            "workers": strategy.num_replicas_in_sync, "loss": losses}))


def _private_network_command():
    """The first command prefix that starts a process in a new network namespace here, or
    (None, why) when there is none."""
    why = "the `unshare` command (util-linux) was not found"
    for prefix in _PRIVATE_NETWORK_COMMANDS:
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as exc:
            why = f"{' '.join(prefix)} failed: {exc}"
            continue
        if probe.returncode == 0:
            return list(prefix), ""
        why = f"{' '.join(prefix)} failed: {probe.stderr.strip() or probe.returncode}"
    return None, why


def private_network_available() -> bool:
    """Whether ``launch(network="private")`` can isolate the workers on this machine."""
    return sys.platform.startswith("linux") and _private_network_command()[0] is not None


def _bring_loopback_up() -> None:
    """Inside a fresh network namespace: switch its loopback interface on (it starts down) and
    check that it is the only interface, so nothing outside this machine can connect."""
    import fcntl
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sh22x", fcntl.ioctl(s, siocgifflags,
                                                      struct.pack("16sh22x", b"lo", 0)))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sh22x", b"lo", flags | iff_up))
    names = sorted(name for _, name in socket.if_nameindex())
    if names != ["lo"]:
        raise RuntimeError(f"the private network namespace has interfaces {names}, "
                           f"expected only 'lo'")


def _launch_workers(workers, epochs, subset, batch_size, out: Path, timeout) -> None:
    """Start the worker processes in the current network namespace and wait for them."""
    ports = free_ports(workers)
    procs, logs = [], []
    for i in range(workers):
        env = dict(os.environ, TF_CONFIG=tf_config(ports, i), TF_CPP_MIN_LOG_LEVEL="2")
        cmd = [sys.executable, "-m", "course_lib.multiworker", "--worker", "--epochs", str(epochs),
               "--subset", str(subset), "--batch-size", str(batch_size), "--out", str(out)]
        logs.append(open(out / f"worker-{i}.log", "w"))
        procs.append(subprocess.Popen(cmd, env=env, stdout=logs[-1], stderr=subprocess.STDOUT))
    deadline = time.monotonic() + timeout
    try:
        for p in procs:
            p.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for p, log in zip(procs, logs):  # never leave a worker behind, also on a timeout
            if p.poll() is None:
                p.kill()
                p.wait()
            log.close()
    failed = [i for i, p in enumerate(procs) if p.returncode != 0]
    if failed:
        tails = [(out / f"worker-{i}.log").read_text()[-3000:] for i in failed]
        raise RuntimeError(f"worker(s) {failed} failed; logs in {out}:\n" + "\n".join(tails))


def launch(workers: int = 2, *, epochs: int = 1, subset: int = 4096, batch_size: int = 256,
           out="multiworker_out", timeout: float = 300.0, network: str = "private") -> dict:
    """Start ``workers`` local worker processes, wait for them, return the chief's result.

    network: "private" (default) runs every worker inside one new network namespace that has
    only a loopback interface (Linux; needs the ``unshare`` tool and user namespaces, or root):
    TensorFlow's worker servers listen on all interfaces of their namespace, and there that means
    loopback only. "host" runs the workers in this machine's own network, where anyone who can
    reach this machine can reach their unauthenticated servers: only on a trusted network.
    """
    from . import _validate as v

    workers = v.positive_int("workers", workers, minimum=1, maximum=8)
    epochs = v.positive_int("epochs", epochs)
    subset = v.positive_int("subset", subset, minimum=batch_size)
    timeout = v.number("timeout", timeout, low=0, low_open=True)
    network = v.option("network", network, set(NETWORKS))
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    result_path = out / "result.json"
    result_path.unlink(missing_ok=True)
    if network == "host":
        _launch_workers(workers, epochs, subset, batch_size, out, timeout)
        return json.loads(result_path.read_text())

    prefix, why = _private_network_command() if sys.platform.startswith("linux") else (
        None, f"network namespaces are a Linux feature (this is {sys.platform})")
    if prefix is None:
        raise RuntimeError(
            "network='private' runs the workers in a private network namespace, which this "
            f"machine cannot create ({why}). TensorFlow's worker servers listen on every network "
            "interface and run whatever they are sent, so network='host' (--network host) lets "
            "any machine that can reach this one talk to them: use it only on a trusted network.")
    cmd = [*prefix, sys.executable, "-m", "course_lib.multiworker", "--in-private-network",
           "--workers", str(workers), "--epochs", str(epochs), "--subset", str(subset),
           "--batch-size", str(batch_size), "--out", str(out), "--timeout", str(timeout)]
    with open(out / "launcher.log", "w") as log:
        # its own process group: on a timeout the launcher and its workers go together
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=timeout + 30)
        except subprocess.TimeoutExpired:
            pass
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    if proc.returncode != 0:
        tail = (out / "launcher.log").read_text()[-6000:]
        raise RuntimeError(f"the private-network launcher failed (exit {proc.returncode}); logs "
                           f"in {out}:\n{tail}")
    return json.loads(result_path.read_text())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Short multi-worker training on localhost")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--subset", type=int, default=4096)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--out", default="multiworker_out")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--network", choices=NETWORKS, default="private",
                    help="private: workers in a loopback-only network namespace (default); "
                         "host: this machine's network -- only on a trusted network")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--in-private-network", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        _worker(args)
        return 0
    if args.in_private_network:  # launch() started us inside the new namespace
        _bring_loopback_up()
        _launch_workers(args.workers, args.epochs, args.subset, args.batch_size, Path(args.out),
                        args.timeout)
        return 0
    result = launch(args.workers, epochs=args.epochs, subset=args.subset,
                    batch_size=args.batch_size, out=args.out, timeout=args.timeout,
                    network=args.network)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
