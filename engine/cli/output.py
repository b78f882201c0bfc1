"""Where a command's output goes: `-o FILE` or standard output.

Every command with `-o` writes through `write_output`, which

- refuses to write over what the command reads or what would change the
  rulebook: any .yaml/.yml file in (or under) the rulebook folder being
  rendered (a manual written as `sops/x.yaml` replaced a procedure), the
  journal and its -wal/-shm/-journal companions, and any other input;
- says plainly what is wrong with a path (a folder, a missing folder, no
  permission, a full disk) instead of failing with a traceback;
- writes a regular file atomically (a temporary file in the same folder,
  then a rename), so an interrupted or failed write leaves the old file, and
  writes devices and pipes (/dev/stdout, /dev/full, a FIFO) directly.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

import click

from engine.errors import SopError, UsageError
from engine.i18n import message, os_reason

if TYPE_CHECKING:  # paths are made only for `-o`: writing to the screen needs none
    from pathlib import Path

IS_FOLDER = message(
    "output.is-folder",
    '输出路径 "{path}" 是一个文件夹。请在 -o 后写文件的路径 (文件夹/文件名)',
    'the output path "{path}" is a folder. give a file after -o (folder/name)',
)
NO_FOLDER = message(
    "output.no-folder",
    '无法写入 "{path}": 文件夹 "{folder}" 不存在。请先创建它, 或换一个输出路径',
    'cannot write "{path}": the folder "{folder}" does not exist. create it first, '
    "or choose another output path",
)
RULEBOOK_FILE = message(
    "output.rulebook-file",
    '不能写入 "{path}": 它在规则手册文件夹 "{folder}" 中, 是 YAML 文件, 写入会替换或增加一个流程。'
    "请把输出写到规则手册文件夹之外",
    'refusing to write "{path}": it is a YAML file in the rulebook folder "{folder}", '
    "so writing it would replace or add a procedure. write the output outside the rulebook folder",
)
INPUT_FILE = message(
    "output.input-file",
    '不能写入 "{path}": 这是本命令读取的{what}。请换一个输出路径',
    'refusing to write "{path}": it is the {what} this command reads. choose another output path',
)
WHAT = {
    "journal": message("output.what.journal", "日志文件", "journal"),
    "input": message("output.what.input", "输入文件", "input file"),
}
FAILED = message(
    "output.failed",
    '无法写入 "{path}": {reason}',
    'cannot write "{path}": {reason}',
)
WRITTEN = message("output.written", "已写入 {path}", "written: {path}")
STDOUT = message("output.stdout", "标准输出", "standard output")
FAILED_IO = message(
    "output.failed-io",
    '无法读写 "{path}": {reason}',
    'cannot read or write "{path}": {reason}',
)

_YAML = (".yaml", ".yml")
_JOURNAL_COMPANIONS = ("", "-wal", "-shm", "-journal")


class Protected(NamedTuple):
    """What a command must not write over: the rulebook folders it reads
    (their YAML files), the journal it reads, other input files. (A typed
    tuple: every command that writes output makes one, and a frozen
    dataclass costs a millisecond to define.)"""

    rulebooks: tuple[str, ...] = ()
    journal: str | None = None
    inputs: tuple[str, ...] = ()


NOTHING_PROTECTED = Protected()


def _real(path: str | os.PathLike[str]) -> Path:
    from pathlib import Path

    return Path(os.path.realpath(os.path.abspath(path)))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target(output: str, protect: Protected) -> Path:
    """The real path `-o output` would write, or a SopError saying why not."""
    if output == "" or os.path.isdir(output):
        raise UsageError(IS_FOLDER, path=output)
    target = _real(output)
    for folder in protect.rulebooks:
        real = _real(folder)
        if target.suffix.lower() in _YAML and _inside(target.parent, real):
            raise UsageError(RULEBOOK_FILE, path=output, folder=folder)
    if protect.journal and protect.journal != ":memory:":
        journal = _real(protect.journal)
        if target in {type(journal)(str(journal) + s) for s in _JOURNAL_COMPANIONS}:
            raise UsageError(INPUT_FILE, path=output, what=WHAT["journal"].say())
    if target in {_real(p) for p in protect.inputs}:
        raise UsageError(INPUT_FILE, path=output, what=WHAT["input"].say())
    if not target.parent.is_dir():
        raise UsageError(NO_FOLDER, path=output, folder=os.path.dirname(output) or ".")
    return target


def os_failure(exc: OSError) -> SopError:
    """What to tell a person when the machine refused a read or a write that
    no command foresaw: the path (standard output when there is none) and why."""
    reason = os_reason(exc, writing=True)
    if exc.filename is None:
        return SopError(FAILED, path=STDOUT.say(), reason=reason)
    return SopError(FAILED_IO, path=os.fsdecode(exc.filename), reason=reason)


def _failed(output: str, exc: OSError) -> SopError:
    return SopError(FAILED, path=output, reason=os_reason(exc, writing=True))


def _write_atomically(target: Path, data: bytes) -> None:
    import tempfile

    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_output(
    data: str | bytes,
    output: str | None,
    protect: Protected = NOTHING_PROTECTED,
    *,
    encoding: str = "utf-8",
    announce: bool = True,
) -> None:
    """`data` to `output` (a path) or, when None, to standard output."""
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            click.echo(data, nl=False)
        return
    target = check_target(output, protect)
    raw = data if isinstance(data, bytes) else data.encode(encoding)
    try:
        if target.is_file() and not os.access(target, os.W_OK):  # a rename would ignore it
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), output)
        if target.exists() and not target.is_file():  # a device or a pipe: no rename
            with open(target, "wb") as handle:
                handle.write(raw)
        else:
            _write_atomically(target, raw)
    except OSError as exc:
        raise _failed(output, exc) from None
    if announce:
        click.echo(WRITTEN.say(path=output), err=True)


def protected(
    rulebooks: Iterable[str | os.PathLike[str] | None] = (),
    journal: str | None = None,
    inputs: Iterable[str] = (),
) -> Protected:
    return Protected(tuple(str(r) for r in rulebooks if r is not None), journal, tuple(inputs))
