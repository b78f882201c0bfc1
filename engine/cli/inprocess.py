"""`sop ARGS` run inside the calling Python process, through the real entry
point: for programs that drive sop many times (the examples' builder, test
suites) and would otherwise pay a process start and a rulebook load for each
command. The command sees its own stdin, stdout, stderr, environment and
working folder; the caller's are put back afterwards, whatever happens."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Invocation:
    code: int  # the exit code a shell would see
    out: str  # stdout, or stdout and stderr interleaved when merged
    err: str  # stderr ("" when merged)


def invoke(
    args: Sequence[str],
    *,
    stdin: str = "",
    env: Mapping[str, str | None] | None = None,
    cwd: Path | str | None = None,
    merge: bool = False,
) -> Invocation:
    """Run `sop ARGS` here. `env` sets variables for the command (None unsets
    one); `merge` writes stdout and stderr to one stream, in the order a
    terminal shows them."""
    from engine.cli import main

    changes = dict(env or {})
    before = {key: os.environ.get(key) for key in changes}
    out = io.StringIO()
    err = out if merge else io.StringIO()
    streams = sys.stdin, sys.stdout, sys.stderr
    here = os.getcwd()
    _apply(changes)
    if "TZ" in changes:
        time.tzset()  # the command's time zone, as a process started with TZ has
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        if cwd is not None:
            os.chdir(cwd)
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams
        os.chdir(here)
        _apply(before)
        if "TZ" in changes:
            time.tzset()
    return Invocation(code, out.getvalue(), "" if merge else err.getvalue())


def _apply(values: Mapping[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
