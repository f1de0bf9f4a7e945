"""How the per-article work runs: in chunks, in worker processes or on Dask, with a cache.

The pipeline's steps (``pipeline.STEPS``) are plain functions of a chunk of articles. This
module only decides *where* they run and *whether* they need to run:

* **chunks**: articles are processed ``chunk_size`` at a time so that memory depends on the
  chunk, not on the corpus;
* **engines**: ``local`` runs chunks in a ``ProcessPoolExecutor`` with ``jobs`` workers (one
  process: in-process, no pickling); ``dask`` submits the same chunk function to a Dask
  cluster (a ``LocalCluster`` or the scheduler address given);
* **cache**: each step's result for an article is stored under a key made of the kit version,
  the step's name, the SHA-256 of the lexicon files the step reads and the article's doc_id and
  text. A re-run recomputes only the (article, step) pairs whose key is new: editing one article
  recomputes that article; changing the terms lexicon recomputes only the terms step. Results
  are Parquet files written atomically (temporary file, then rename), so an interrupted run
  (Ctrl-C) leaves a valid cache and the next run resumes where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .sinks import link_or_copy

KEY = "_key"


def article_key(doc_id: str, text: str, step_hash: str) -> str:
    """Cache key of one article's result for one step (hex SHA-256)."""
    h = hashlib.sha256()
    for part in (step_hash, doc_id, text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


_PROCESS_CACHES: dict[tuple[int, str], "ArticleCache"] = {}


class _KeyIndex:
    """Cache keys (hex SHA-256) -> batch name, kept as sorted 16-byte digest prefixes and batch
    numbers: 20 bytes a key instead of about 190 for a dict of hex strings (a worker indexes
    every article x step of the corpus: 250,000 keys at 50,000 articles). 128 bits tell the keys
    apart (a collision among a billion keys has odds below 1e-20)."""

    def __init__(self):
        self.names: list[str] = []
        self._ids: dict[str, int] = {}
        self.keys = np.empty(0, dtype="S16")
        self.batch = np.empty(0, dtype=np.int32)

    @staticmethod
    def _digests(keys: list[str]) -> np.ndarray:
        try:
            raw = bytes.fromhex("".join(keys))
        except ValueError:
            raw = b""
        if len(raw) != 32 * len(keys) or any(len(k) != 64 for k in keys):
            raise ValueError("internal error: a cache key is not a hex SHA-256")
        return np.frombuffer(raw, dtype=np.uint8).reshape(-1, 32)[:, :16].copy().view(
            "S16").ravel()

    def add(self, keys, name: str) -> None:
        """Map ``keys`` to batch ``name`` (a key added again maps to its latest batch)."""
        keys = list(keys)
        if not keys:
            return
        bid = self._ids.setdefault(name, len(self.names))
        if bid == len(self.names):
            self.names.append(name)
        new = np.sort(self._digests(keys), kind="stable")
        at = np.searchsorted(self.keys, new, side="right")
        self.keys = np.insert(self.keys, at, new)
        self.batch = np.insert(self.batch, at, np.int32(bid))

    def batches(self, keys) -> list[str | None]:
        """The batch of each key (None: not cached)."""
        keys = list(keys)
        if not keys or not len(self.keys):
            return [None] * len(keys)
        d = self._digests(keys)
        pos = np.searchsorted(self.keys, d, side="right") - 1
        hit = (pos >= 0) & (self.keys[np.maximum(pos, 0)] == d)
        names = self.names
        return [names[b] if h else None
                for h, b in zip(hit.tolist(), self.batch[np.maximum(pos, 0)].tolist())]

    def __len__(self) -> int:
        return len(self.keys)


class ArticleCache:
    """Per-step Parquet store of per-article results, keyed by :func:`article_key`.

    Layout: ``<root>/<step>/<batch>.<table>.parquet``; each file has a ``_key`` column. The
    index (key -> batch, :class:`_KeyIndex`) is rebuilt at start-up from the ``_key`` columns of
    the ``.keys.parquet`` file each batch writes last, so a batch without its keys file (an
    interrupted write) is ignored.
    """

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._index: dict[str, _KeyIndex] = {}
        self._seen: dict[str, set[str]] = {}

    @classmethod
    def for_process(cls, root) -> "ArticleCache":
        """One instance per process and folder, so each keys file is read once per worker."""
        key = (os.getpid(), str(Path(root).resolve()))
        if key not in _PROCESS_CACHES:
            _PROCESS_CACHES[key] = cls(root)
        return _PROCESS_CACHES[key]

    def index(self, step: str) -> _KeyIndex:
        """key -> batch for the step; keys files written since the last call are read too."""
        idx = self._index.get(step)
        seen = self._seen.setdefault(step, set())
        folder = self.root / step
        files = sorted(folder.glob("*.keys.parquet")) if folder.exists() else []
        if idx is None or seen - {f.name for f in files}:  # (batches deleted: start again)
            idx = self._index[step] = _KeyIndex()
            seen.clear()
        for f in files:
            if f.name in seen:
                continue
            idx.add(pd.read_parquet(f, columns=[KEY])[KEY].tolist(),
                    f.name[: -len(".keys.parquet")])
            seen.add(f.name)
        return idx

    def missing(self, step: str, keys) -> list[str]:
        keys = list(keys)
        return [k for k, b in zip(keys, self.index(step).batches(keys)) if b is None]

    def write(self, step: str, tables: dict[str, pd.DataFrame], keys: list[str]) -> None:
        """Store the tables of one computed batch (each with a ``_key`` column), atomically."""
        folder = self.root / step
        folder.mkdir(parents=True, exist_ok=True)
        batch = uuid.uuid4().hex
        for name, frame in sorted(tables.items()):
            _atomic_parquet(frame, folder / f"{batch}.{name}.parquet")
        _atomic_parquet(pd.DataFrame({KEY: keys}), folder / f"{batch}.keys.parquet")
        self._index.setdefault(step, _KeyIndex()).add(keys, batch)
        self._seen.setdefault(step, set()).add(f"{batch}.keys.parquet")

    def read(self, step: str, table: str, keys: list[str]) -> pd.DataFrame:
        """Rows of ``table`` for the given keys (in no particular order)."""
        found = self.index(step).batches(keys)
        if any(b is None for b in found):
            raise KeyError(f"internal error: {step} results not cached for some articles")
        batches = sorted(set(found))
        wanted = set(keys)
        parts = []
        for b in batches:
            frame = pd.read_parquet(self.root / step / f"{b}.{table}.parquet")
            parts.append(frame[frame[KEY].isin(wanted)])
        if not parts:
            return pd.DataFrame()
        return pd.concat(parts, ignore_index=True)


def _atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _atomic_pickle(obj, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def chunks(frame: pd.DataFrame, size: int):
    """Consecutive row slices of ``frame`` of at most ``size`` rows."""
    for start in range(0, len(frame), size):
        yield frame.iloc[start:start + size]


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _mp_context():
    """Workers start from a small server process ("forkserver"), not as forks of this one.

    A forked worker would carry a copy of everything the main process holds (the loaded
    corpus, freed but unreturned heap), so the summed memory of the workers would grow with the
    corpus. Where forkserver is not available (Windows, macOS default) the platform default is
    used.
    """
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context()


_HEAP_TUNED = False


def limit_heap_growth() -> None:
    """Serve allocations above 256 KB from their own mappings, returned to the OS when freed.

    glibc raises this threshold as large blocks are freed (up to 32 MB), after which the
    unpickled results and frames of each chunk are carved from the heap and fragment it: the
    main process then kept 0.7 GB more after a 50,000-article run than after loading. With the
    threshold fixed the process's memory follows what it holds. Once per process; glibc only.

    Arrow buffers (pandas' string columns) then come from the same allocator: Arrow's default
    pool (mimalloc) keeps the pages it frees, and the shared-passage rows of one
    10,000-article event took 160 MB more with it (1,264 MB peak instead of 1,104 MB). A pool
    chosen with ``ARROW_DEFAULT_MEMORY_POOL`` is left alone.
    """
    global _HEAP_TUNED
    if _HEAP_TUNED:
        return
    _HEAP_TUNED = True
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-3, 256 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc
        return
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def release_free_memory() -> None:
    """Give freed heap pages back to the operating system (glibc ``malloc_trim``; else nothing).

    Loading a large corpus builds many short-lived objects; without this the process keeps
    their pages, and its resident memory stays at the loading peak for the whole run. Measured
    on 50,000 articles: 1,472 MB after loading, 878 MB after ``malloc_trim``, 483 MB once
    Arrow's pool has released its unused pages too.
    """
    import sys

    if "pyarrow" in sys.modules:  # Arrow's allocator (mimalloc/jemalloc) keeps freed pages too
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class _Finished:
    """The result of a task run in the calling process, shaped like a future."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class Runner:
    """Runs chunk functions for one pipeline run, keeping its workers alive between stages.

    ``engine="local"``: a ``ProcessPoolExecutor`` with ``jobs`` workers, created on first use
    (none for tasks submitted ``in_process``). ``engine="dask"``: a client of the scheduler at
    ``scheduler``, or of a ``LocalCluster`` with ``jobs`` single-threaded worker processes.
    Workers load lexicons and models once and reuse them for every chunk and event. Tasks go in
    with :meth:`submit` and results come out with :meth:`collect` (the pipeline's scheduler,
    ``pipeline._run_groups``, decides how many are in flight). Use as a context manager.
    """

    def __init__(self, jobs: int | None = None, engine: str = "local",
                 scheduler: str | None = None):
        if engine not in ("local", "dask"):
            raise ValueError(f"engine must be 'local' or 'dask'; got {engine!r}")
        self.jobs = jobs or default_jobs()
        self.engine = engine
        self.scheduler = scheduler
        self._pool = None
        self._client = None
        self._cluster = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def _submit(self, fn, item):
        if self.engine == "dask":
            if self._client is None:
                from dask.distributed import Client, LocalCluster

                if self.scheduler:
                    self._client = Client(self.scheduler)
                else:
                    self._cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1,
                                                 processes=True, dashboard_address=None,
                                                 host="127.0.0.1")
                    self._client = Client(self._cluster)
            return self._client.submit(fn, item, pure=False)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_mp_context())
        return self._pool.submit(fn, item)

    def recycle(self) -> None:
        """Let the local workers exit (call with nothing in flight); the next task starts fresh
        ones. Before a large event's task: a worker that analysed chunks carries their
        libraries' caches and a fragmented heap (about 320 MB against 190 MB fresh), and the
        idle workers would hold theirs while the event runs. No-op on Dask."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def executor(self):
        """An executor (``submit(fn, arg)`` giving a future) running on the local workers, or
        None for one job or Dask (then the loader reads the corpus in this process)."""
        if self.engine != "local" or self.jobs == 1:
            return None
        return _LocalExecutor(self)

    def submit(self, fn, item, in_process: bool = False):
        """Start ``fn(item)`` on a worker (or run it now when ``in_process``); see :meth:`collect`."""
        if in_process:
            return _Finished(fn(item))
        return self._submit(fn, item)

    def collect(self, future):
        """The result of a :meth:`submit` (re-raising a worker's exception)."""
        out = future.result()
        if self.engine == "dask" and not isinstance(future, _Finished):
            future.release()
        return out


class _LocalExecutor:
    """:meth:`Runner.executor`: tasks go to the runner's process pool (started on first use)."""

    def __init__(self, runner: Runner):
        self._runner = runner

    def submit(self, fn, arg):
        return self._runner.submit(fn, arg)


class RunFile(NamedTuple):
    """A table written as one rendered CSV run (``analysis.sinks.render``'s bytes) instead of a
    frame: ``path`` (None: no rows), ``columns``, and ``n_ids``, how many ids its first column
    numbers from 1 (shared passages)."""
    path: str | None
    columns: list
    n_ids: int


class EventCache:
    """Cross-article results of one event, stored under a key of all its inputs.

    Layout: ``<root>/events/<key>.<table>.pkl`` for a frame (pickle: exact dtypes, and a
    warm run reads 250 events' outlet estimates, 131 columns each, in 0.12 s instead of 3 s as
    Parquet; ``.parquet`` files of earlier versions are still read), ``<key>.<table>.run.json``
    (plus ``<key>.<table>.csv`` when it has rows) for a :class:`RunFile`, and a ``<key>.done``
    marker written last, so an interrupted write is ignored and recomputed.
    """

    def __init__(self, root):
        self.folder = Path(root) / "events"

    def get(self, key: str, tables=None) -> dict[str, pd.DataFrame | RunFile] | None:
        """The event's tables (only ``tables`` when given), or None when not cached."""
        if not (self.folder / f"{key}.done").exists():
            return None
        if tables is None:  # (named tables are looked up directly: no listing of the folder)
            tables = {f.name[len(key) + 1:-len(suffix)] for f in self.folder.glob(f"{key}.*")
                      for suffix in (".pkl", ".parquet", ".run.json") if f.name.endswith(suffix)}
        frames, runs = {}, {}
        for name in sorted(tables):
            stored = self.folder / f"{key}.{name}"
            pkl, parquet, meta = (Path(f"{stored}{s}") for s in (".pkl", ".parquet", ".run.json"))
            if pkl.exists():
                with open(pkl, "rb") as fh:
                    frames[name] = pickle.load(fh)
            elif parquet.exists():
                frames[name] = pd.read_parquet(parquet)
            elif meta.exists():
                info = json.loads(meta.read_text(encoding="utf-8"))
                runs[name] = RunFile(f"{stored}.csv" if info["has_rows"] else None,
                                     info["columns"], info["n_ids"])
        return {**frames, **runs}

    def put(self, key: str, tables: dict[str, pd.DataFrame | RunFile]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, table in sorted(tables.items()):
            for stale in (f"{name}.pkl", f"{name}.parquet", f"{name}.run.json", f"{name}.csv"):
                (self.folder / f"{key}.{stale}").unlink(missing_ok=True)  # the other form's
            if isinstance(table, RunFile):
                if table.path is not None:
                    link_or_copy(table.path, self.folder / f"{key}.{name}.csv")
                meta = self.folder / f"{key}.{name}.run.json"
                tmp = meta.with_name(f".{meta.name}.{os.getpid()}.tmp")
                tmp.write_text(json.dumps({"columns": list(table.columns),
                                           "n_ids": int(table.n_ids),
                                           "has_rows": table.path is not None}), encoding="utf-8")
                os.replace(tmp, meta)
            else:
                # index dropped, as Parquet without it did
                _atomic_pickle(table.reset_index(drop=True), self.folder / f"{key}.{name}.pkl")
        tmp = self.folder / f".{key}.done.{os.getpid()}.tmp"
        tmp.write_text("ok\n")
        os.replace(tmp, self.folder / f"{key}.done")


class LoadCache:
    """The loaded corpus (articles, removed lines, skipped records), keyed by its input bytes.

    Loading a large corpus (parsing, page-furniture rules on every line) costs more than the
    rest of a warm run. The key covers the kit version, the loader options, the furniture rules
    file and the bytes of every file of the corpus (the file itself, or every file under the
    corpus folder), so any change reloads. Stored with pickle (exact dtypes and values); written
    atomically.
    """

    def __init__(self, root):
        self.folder = Path(root) / "load"

    @staticmethod
    def key(corpus, options: dict) -> str:
        h = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode())
        corpus = Path(corpus)
        files = [corpus] if corpus.is_file() else sorted(
            p for p in corpus.rglob("*") if p.is_file())
        for f in files:
            h.update(str(f.relative_to(corpus) if f != corpus else f.name).encode(
                "utf-8", "surrogateescape"))
            h.update(b"\x00")
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            h.update(b"\x00")
        return h.hexdigest()

    def get(self, key: str):
        path = self.folder / f"{key}.pickle"
        if not path.exists():
            return None
        with open(path, "rb") as fh:
            return pickle.load(fh)

    def put(self, key: str, loaded) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _atomic_pickle(loaded, self.folder / f"{key}.pickle")
