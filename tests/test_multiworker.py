import ipaddress
import json
import math
import os
import socket
import threading
import time
from collections import namedtuple

import pytest

from course_lib import multiworker

pytestmark = pytest.mark.tensorflow_only  # tf.distribute: TensorFlow's own machinery

# --- who listens where: read from /proc (works without iproute2's `ss`) ---------------------

Listening = namedtuple("Listening", "address port inode")


def _socket_inodes(pid):
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    return inodes


def _address(hex_address):
    """/proc/net/tcp{,6} store addresses as 32-bit words in host (little-endian) byte order."""
    raw = b"".join(bytes.fromhex(hex_address[i:i + 8])[::-1] for i in range(0, len(hex_address), 8))
    return ipaddress.ip_address(raw)


def _listening(pid, *, all_sockets=False):
    """The TCP sockets listening in process ``pid``'s network namespace: its own ones, or every
    one of that namespace with ``all_sockets``."""
    mine = None if all_sockets else _socket_inodes(pid)
    found = []
    for table in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{table}") as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[3] == "0A" and (mine is None or cols[9] in mine):  # 0A: LISTEN
                    address, port = cols[1].split(":")
                    found.append(Listening(_address(address), int(port, 16), cols[9]))
    return found


def _interfaces(pid):
    with open(f"/proc/{pid}/net/dev") as f:
        return sorted(line.split(":")[0].strip() for line in f.readlines()[2:])


def _exposed(pid):
    """Listening sockets of ``pid`` that another machine could reach: bound to a non-loopback
    address (the wildcard included) in a network namespace with a non-loopback interface."""
    if _interfaces(pid) == ["lo"]:
        return []

    def loopback(a):
        return a.is_loopback or (a.version == 6 and a.ipv4_mapped is not None
                                 and a.ipv4_mapped.is_loopback)

    return [s for s in _listening(pid) if not loopback(s.address)]


def _worker_pids(out):
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if b"--worker" in args and str(out).encode() in args:
            pids.append(int(pid))
    return pids


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    """One two-worker launch (private network where this machine allows it), watched from /proc
    while it runs: each worker's network namespace, interfaces and listening sockets."""
    out = tmp_path_factory.mktemp("multiworker").resolve()
    network = "private" if multiworker.private_network_available() else "host"
    outcome = {}

    def run():
        try:
            outcome["result"] = multiworker.launch(2, epochs=2, subset=1024, out=out,
                                                   network=network)
        except BaseException as exc:  # re-raised in the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    workers = {}
    while thread.is_alive():
        for pid in _worker_pids(out):
            try:
                seen = dict(netns=os.readlink(f"/proc/{pid}/ns/net"),
                            interfaces=_interfaces(pid), listening=_listening(pid),
                            exposed=_exposed(pid))
            except OSError:  # the worker just ended
                continue
            if seen["listening"] or pid not in workers:
                workers[pid] = seen
        time.sleep(0.25)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    why = "" if network == "private" else multiworker._private_network_command()[1]
    return dict(outcome, network=network, why=why, workers=workers)


def test_tf_config_names_every_worker_and_this_task():
    conf = json.loads(multiworker.tf_config([1111, 2222], 1))
    assert conf["cluster"]["worker"] == ["localhost:1111", "localhost:2222"]
    assert conf["task"] == {"type": "worker", "index": 1}
    with pytest.raises(ValueError, match="index must be in"):
        multiworker.tf_config([1111], 1)


def test_free_ports_are_distinct():
    ports = multiworker.free_ports(3)
    assert len(set(ports)) == 3 and all(1024 <= p < 65536 for p in ports)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(workers=0), ValueError, "workers"), (dict(workers=9), ValueError, "workers"),
    (dict(epochs=0), ValueError, "epochs"), (dict(subset=10), ValueError, "subset"),
])
def test_launch_bad_input(kwargs, exc, word, tmp_path):
    with pytest.raises(exc, match=word):
        multiworker.launch(out=tmp_path, **kwargs)


@pytest.mark.slow
def test_two_local_workers_train_together(launched):
    """Two processes on localhost, one MultiWorkerMirroredStrategy: both replicas take part and
    the loss falls."""
    result = launched["result"]
    assert result["workers"] == 2
    assert all(math.isfinite(x) for x in result["loss"])
    assert result["loss"][1] < result["loss"][0]


@pytest.mark.slow
def test_workers_cannot_be_reached_from_outside(launched):
    """TensorFlow's worker servers listen on every interface (``*:PORT``); the launcher puts them
    in a network namespace whose only interface is loopback, so no other machine can connect."""
    if launched["network"] != "private":
        pytest.skip("no network namespaces here: " + launched["why"])
    seen = launched["workers"]
    assert len(seen) == 2 and all(w["listening"] for w in seen.values()), seen
    host_inodes = {s.inode for s in _listening(os.getpid(), all_sockets=True)}
    for pid, w in seen.items():
        assert w["netns"] != os.readlink("/proc/self/ns/net"), "worker shares our network"
        assert w["interfaces"] == ["lo"], w["interfaces"]
        assert not w["exposed"], f"worker {pid} reachable from outside: {w['exposed']}"
        # its listening sockets are in no table of this machine's own network namespace
        assert not {s.inode for s in w["listening"]} & host_inodes


def test_exposure_check_sees_a_socket_open_to_the_network():
    """Control for the check above: in this machine's namespace a socket bound to 0.0.0.0 counts
    as exposed, one bound to 127.0.0.1 does not."""
    if _interfaces(os.getpid()) == ["lo"]:
        pytest.skip("this machine has no interface besides loopback")
    with socket.socket() as wide, socket.socket() as local:
        wide.bind(("0.0.0.0", 0))
        local.bind(("127.0.0.1", 0))
        wide.listen()
        local.listen()
        exposed = {s.port for s in _exposed(os.getpid())}
        assert wide.getsockname()[1] in exposed
        assert local.getsockname()[1] not in exposed


def test_private_network_missing_gives_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(multiworker, "_PRIVATE_NETWORK_COMMANDS", (("false",),))
    assert not multiworker.private_network_available()
    with pytest.raises(RuntimeError, match="network='host'.*trusted network"):
        multiworker.launch(out=tmp_path)
    with pytest.raises(ValueError, match="network"):
        multiworker.launch(out=tmp_path, network="lan")


@pytest.mark.slow
def test_scale_for_replicas_divides_by_the_replica_count():
    """Needs two logical devices, which TF accepts only before it starts: use a fresh process."""
    import subprocess
    import sys

    code = (
        "import tensorflow as tf\n"
        "cpu = tf.config.list_physical_devices('CPU')[0]\n"
        "tf.config.set_logical_device_configuration(\n"
        "    cpu, [tf.config.LogicalDeviceConfiguration()] * 2)\n"
        "from course_lib.training import scale_for_replicas\n"
        "print(float(scale_for_replicas(tf.constant(1.0))))\n"
        "with tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1']).scope():\n"
        "    print(float(scale_for_replicas(tf.constant(1.0))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1.0", "0.5"]
