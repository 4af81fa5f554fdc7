"""Course benchmark: execute every lesson in a fresh kernel, one at a time, and record its wall
time, the kernel's peak resident memory and its checkpoint verdicts.

    python -m course_lib.bench                 # all lessons -> benchmarks/lessons.md + .json
    python -m course_lib.bench 01_anatomy 13_vae --out /tmp/bench
    python -m course_lib.bench --seed-offset 1  # every seed shifted by 1 -> seed-offset-1.md/.json

Lessons over 90 s or 1.5 GB are flagged. Not part of the unit tests: timings need a quiet machine.

Seed robustness: a lesson seeds everything with ``SEED + k`` where ``SEED =
training.seed_offset()`` reads ``COURSE_SEED_OFFSET`` (0 when unset: the published run).
``--seed-offset N`` runs the kernels with that variable set to N and compares each checkpoint's
verdict (the line without its ``[measured ...]`` part) with the offset-0 table in lessons.json:
a verdict that changes, disappears or fails is a *flip*. A lesson that never calls
``seed_offset`` would run with its old seeds, so it is reported as "not seed-aware", not as 0 flips.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 90.0
LIMIT_MB = 1536.0
MARK = "NBVAL_CHECK_OUTPUT"

__all__ = ["execute_notebook", "run_lesson", "machine", "merge_rows", "verdict", "flips", "main"]
OFFSET_ENV = "COURSE_SEED_OFFSET"  # read by training.seed_offset() inside the lesson's kernel


def _peak_rss_mb(pid: int) -> float:
    """The kernel's high-water mark of resident memory (Linux VmHWM), in MB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _patient_shell_channel(kc) -> None:
    """Poll the kernel's shell channel in 1 s slices instead of one long wait.

    nbclient waits for each execute reply with a single ``get_msg(timeout=cell_timeout)``; with
    ipywidgets in a cell that wait sometimes misses the wake-up and sits out the whole timeout
    (jupyter/nbclient#312). Short repeated polls see the reply at once."""
    from queue import Empty

    original = kc.shell_channel.get_msg

    async def get_msg(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = 1.0 if deadline is None else min(1.0, max(0.0, deadline - time.monotonic()))
            try:
                return await original(timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    kc.shell_channel.get_msg = get_msg


def execute_notebook(nb, workdir, timeout: int = 600) -> dict:
    """Run every cell of notebook ``nb`` (in place) in a fresh kernel started in ``workdir``.

    Returns ``{"seconds", "peak_rss_mb", "error"}``; ``error`` is None or the failing cell's last
    error line."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    error, peak = None, float("nan")
    t0 = time.perf_counter()
    with client.setup_kernel():
        _patient_shell_channel(client.kc)
        pid = client.km.provisioner.process.pid
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except CellExecutionError as e:
            error = str(e).strip().splitlines()[-1][:300]
        # as nbclient's own execute(): widget state (e.g. an Explorer's PNG) -> nb.metadata.widgets
        client.set_widgets_metadata()
        peak = _peak_rss_mb(pid)
    return {"seconds": time.perf_counter() - t0, "peak_rss_mb": peak, "error": error}


@contextlib.contextmanager
def _seed_offset_env(offset: int):
    """The kernel inherits this process's environment: set the offset for its lifetime only."""
    old = os.environ.get(OFFSET_ENV)
    os.environ[OFFSET_ENV] = str(offset)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(OFFSET_ENV, None)
        else:
            os.environ[OFFSET_ENV] = old


def _seed_aware(nb) -> bool:
    return any(c.cell_type == "code" and "seed_offset()" in c.source for c in nb.cells)


def run_lesson(path, timeout: int = 600, *, seed_offset: int = 0) -> dict:
    """Execute one lesson top to bottom in a new kernel (with ``COURSE_SEED_OFFSET`` set to
    ``seed_offset``); return its measurements."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"lesson {path} does not exist")
    if isinstance(seed_offset, bool) or not isinstance(seed_offset, int) or seed_offset < 0:
        raise ValueError(f"seed_offset must be a non-negative integer, got {seed_offset!r}")
    nb = nbformat.read(path, as_version=4)
    with _seed_offset_env(seed_offset):
        run = execute_notebook(nb, path.parent, timeout)
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code" and MARK in cell.source:
            lines += [ln for o in cell.get("outputs", []) for ln in o.get("text", "").splitlines()
                      if ln.startswith(("PASS", "FAIL", "TODO"))]
    passed = run["error"] is None and bool(lines) and all(ln.startswith("PASS") for ln in lines)
    seconds, peak = run["seconds"], run["peak_rss_mb"]
    return {"lesson": path.stem, "seconds": round(seconds, 1), "peak_rss_mb": round(peak, 0),
            "passed": passed, "checkpoints": len(lines), "error": run["error"],
            "over_budget": seconds > LIMIT_SECONDS or peak > LIMIT_MB, "verdicts": lines,
            "seed_offset": seed_offset, "seed_aware": _seed_aware(nb)}


def verdict(line: str) -> str:
    """A checkpoint line without its measured number: what must not change across seeds."""
    return re.sub(r"\s*\[measured [^\]]*\]", "", line).strip()


def flips(base: dict, shifted: dict) -> list:
    """Verdicts of ``base`` (an offset-0 row) that ``shifted`` does not reproduce, in order:
    changed, missing (the run stopped before) or failed lines, plus a run error."""
    got = [verdict(ln) for ln in shifted["verdicts"]]
    out = []
    for ln in base["verdicts"]:
        v0 = verdict(ln)
        if v0 in got:
            got.remove(v0)
        else:
            out.append(v0)
    if shifted.get("error"):
        out.append(f"error: {shifted['error']}")
    return out


def _flip_markdown(rows, base, offset, info) -> str:
    out = [f"# Seed offset {offset}: do the verdicts survive other seeds?", "",
           f"Machine: {info['cpu']}, {info['cores']} cores. Every lesson ran with "
           f"`{OFFSET_ENV}={offset}` (`python -m course_lib.bench --seed-offset {offset}`); its "
           "checkpoint verdicts are compared with the offset-0 run in lessons.json.", "",
           "| lesson | seed-aware | verdicts at 0 | flips | flipped |", "|---|---|---:|---:|---|"]
    total = 0
    for r in rows:
        b = base.get(r["lesson"])
        if b is None:
            out.append(f"| {r['lesson']} | {'yes' if r['seed_aware'] else 'no'} | — | — | "
                       "no offset-0 row to compare |")
            continue
        f = flips(b, r)
        total += len(f)
        shown = "; ".join(x.replace("|", "\\|") for x in f) or ""
        out.append(f"| {r['lesson']} | {'yes' if r['seed_aware'] else 'NO'} | "
                   f"{len(b['verdicts'])} | {len(f)} | {shown} |")
    out += ["", f"Total flips: {total} over {len(rows)} lessons."]
    return "\n".join(out) + "\n"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for mod in ("tensorflow", "keras", "numpy"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            versions[mod] = "not installed"
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), **versions}


def _markdown(rows, info) -> str:
    total = sum(r["seconds"] for r in rows)
    out = ["# Course benchmark", "",
           f"Machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}, "
           f"TensorFlow {info['tensorflow']}, Keras {info['keras']}, NumPy {info['numpy']}.",
           f"Each lesson ran alone in a fresh kernel (`python -m course_lib.bench`). Budgets: "
           f"≤ {LIMIT_SECONDS:.0f} s and ≤ {LIMIT_MB / 1024:.1f} GB peak kernel RSS per lesson.",
           "",
           "| lesson | wall s | peak RSS MB | result | checkpoints | within budget |",
           "|---|---:|---:|---|---:|---|"]
    for r in rows:
        out.append(f"| {r['lesson']} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} | "
                   f"{'pass' if r['passed'] else 'FAIL'} | {r['checkpoints']} | "
                   f"{'no — OVER' if r['over_budget'] else 'yes'} |")
    out += ["", f"Total: {total:.0f} s for {len(rows)} lessons "
                f"({total / max(len(rows), 1):.0f} s per lesson on average)."]
    return "\n".join(out) + "\n"


def merge_rows(old: list, new: list) -> list:
    """The rows of ``old`` with those of the same lessons replaced by ``new``, by lesson name."""
    by_name = {r["lesson"]: r for r in old}
    by_name.update({r["lesson"]: r for r in new})
    return [by_name[name] for name in sorted(by_name)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lessons", nargs="*", help="lesson names (default: every lessons/NN_*.ipynb)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks"), help="folder for lessons.md/.json")
    ap.add_argument("--seed-offset", type=int, default=0, metavar="N",
                    help="shift every seed in the lessons by N and compare verdicts with offset 0 "
                         "(writes seed-offset-N.md/.json; lessons.md is left alone)")
    args = ap.parse_args(argv)
    if args.seed_offset < 0:
        ap.error(f"--seed-offset must be >= 0, got {args.seed_offset}")
    paths = ([ROOT / "lessons" / f"{n.removesuffix('.ipynb')}.ipynb" for n in args.lessons]
             or sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        ap.error(f"no such lesson: {', '.join(missing)}")
    rows = []
    for p in paths:
        r = run_lesson(p, seed_offset=args.seed_offset)
        rows.append(r)
        print(f"{r['lesson']:38s} {r['seconds']:6.1f} s {r['peak_rss_mb']:6.0f} MB "
              f"{'pass' if r['passed'] else 'FAIL'}{'  OVER BUDGET' if r['over_budget'] else ''}",
              flush=True)
    info = machine()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.seed_offset:
        base_file = out / "lessons.json"
        base = ({r["lesson"]: r for r in json.loads(base_file.read_text())["lessons"]}
                if base_file.is_file() else {})
        stem = out / f"seed-offset-{args.seed_offset}"
        old = stem.with_suffix(".json")
        if args.lessons and old.is_file():
            rows = merge_rows(json.loads(old.read_text())["lessons"], rows)
        md = _flip_markdown(rows, base, args.seed_offset, info)
        stem.with_suffix(".md").write_text(md)
        stem.with_suffix(".json").write_text(json.dumps({"machine": info, "lessons": rows},
                                                        indent=1) + "\n")
        print(md.splitlines()[-1])
        bad = [r for r in rows if r["lesson"] not in base or flips(base[r["lesson"]], r)
               or not r["seed_aware"]]
        return 1 if bad else 0
    if args.lessons and (out / "lessons.json").is_file():
        # naming lessons re-measures just those: keep the other rows of the existing table
        rows = merge_rows(json.loads((out / "lessons.json").read_text())["lessons"], rows)
    (out / "lessons.md").write_text(_markdown(rows, info))
    (out / "lessons.json").write_text(
        json.dumps({"machine": info, "lessons": rows}, indent=1) + "\n")
    print(f"wrote {out / 'lessons.md'} and {out / 'lessons.json'}")
    return 0 if all(r["passed"] and not r["over_budget"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
