import json
import math

import pytest

from course_lib import multiworker


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


def test_two_local_workers_train_together(tmp_path):
    """Two processes on localhost, one MultiWorkerMirroredStrategy: both replicas take part and
    the loss falls."""
    result = multiworker.launch(2, epochs=2, subset=1024, out=tmp_path)
    assert result["workers"] == 2
    assert all(math.isfinite(x) for x in result["loss"])
    assert result["loss"][1] < result["loss"][0]


def test_scale_for_replicas_divides_by_the_replica_count():
    """Needs two logical devices, which TF accepts only before it starts: use a fresh process."""
    import subprocess
    import sys

    code = (
        "import tensorflow as tf\n"
        "cpu = tf.config.list_physical_devices('CPU')[0]\n"
        "tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)\n"
        "from course_lib.training import scale_for_replicas\n"
        "print(float(scale_for_replicas(tf.constant(1.0))))\n"
        "with tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1']).scope():\n"
        "    print(float(scale_for_replicas(tf.constant(1.0))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1.0", "0.5"]
