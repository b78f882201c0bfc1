"""The journal as files on disk, read without SQLite: what kind of file a
path holds, whether it was cut short, and whether its write-ahead log (WAL)
holds writes SQLite would silently drop.

Recognising a journal must not change the file: another program's database
given by mistake is refused as it is. The main file's header says what it is
(https://www.sqlite.org/fileformat.html): the 16-byte magic, the page size,
and the `application_id` a journal sets when it is created. SQLite reads the
WAL up to the first frame whose checksum fails and ignores the rest, so a
flipped byte in the WAL loses every later write without an error; reading the
frames here is how `sop journal verify` sees it.
"""

# Without `from __future__ import annotations`: a typed tuple's annotations
# written as strings are each compiled when its class is defined, and
# `sop due` defines this module's on every call.

import os
import struct
from enum import Enum
from typing import NamedTuple

APPLICATION_ID = 0x534F504A  # "SOPJ": PRAGMA application_id of every journal
MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
WAL_HEADER = 32
FRAME_HEADER = 24
_WAL_MAGIC = (0x377F0682, 0x377F0683)


class Kind(Enum):
    MISSING = "missing"
    EMPTY = "empty"  # 0 bytes: nothing written yet (or cut to nothing)
    NOT_SQLITE = "not-sqlite"  # not a database at all (or its header is damaged)
    JOURNAL = "journal"  # a database marked as a journal
    UNMARKED = "unmarked"  # a database with no application id: an old journal, or not ours
    FOREIGN = "foreign"  # another program's database (it set its own application id)
    FOLDER = "folder"


class Header(NamedTuple):
    """What a database file's first 100 bytes say. This module's types are
    typed tuples: every command that opens a journal reads a file's header,
    and a tuple's class is defined for a fraction of a dataclass's cost."""

    page_size: int
    wal: bool  # the file is in WAL mode (format versions 2)
    pages: int | None  # the database size the header vouches for, if it does
    application_id: int
    user_version: int


class Found(NamedTuple):
    """What a path holds, as far as its header tells."""

    kind: Kind
    size: int = 0
    header: Header | None = None


def wal_path(path: str) -> str:
    return path + "-wal"


def parse_header(raw: bytes) -> Header | None:
    if len(raw) < HEADER_SIZE or not raw.startswith(MAGIC):
        return None
    (page_size,) = struct.unpack(">H", raw[16:18])
    page_size = 65536 if page_size == 1 else page_size
    write_version, read_version = raw[18], raw[19]
    (change_counter, in_header_pages) = struct.unpack(">II", raw[24:32])
    (user_version, application_id) = struct.unpack(">iI", raw[60:64] + raw[68:72])
    (valid_for,) = struct.unpack(">I", raw[92:96])
    # The page count is only to be trusted when it was written with the
    # last change (https://www.sqlite.org/fileformat2.html#in_header_database_size).
    pages = in_header_pages if in_header_pages and change_counter == valid_for else None
    return Header(page_size, write_version == 2 and read_version == 2, pages, application_id,
                  user_version)  # fmt: skip


def identify(path: str) -> Found:
    """What `path` holds, from its first 100 bytes (the file is opened for
    reading only and nothing is written)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Found(Kind.MISSING)
    if os.path.isdir(path):
        return Found(Kind.FOLDER)
    if st.st_size == 0:
        return Found(Kind.EMPTY)
    with open(path, "rb") as f:
        raw = f.read(HEADER_SIZE)
    header = parse_header(raw)
    if header is None:
        return Found(Kind.NOT_SQLITE, st.st_size)
    if header.application_id == APPLICATION_ID:
        kind = Kind.JOURNAL
    elif header.application_id == 0:
        kind = Kind.UNMARKED
    else:
        kind = Kind.FOREIGN
    return Found(kind, st.st_size, header)


def truncated(found: Found) -> int | None:
    """The size the file should have when the header says it was cut short
    (None when it is whole, as far as the header can tell)."""
    h = found.header
    if h is None:
        return None
    if found.size % h.page_size:
        return found.size + (h.page_size - found.size % h.page_size)
    if h.pages is not None and found.size < h.pages * h.page_size:
        return h.pages * h.page_size
    return None


class WalCheck(NamedTuple):
    """What the WAL beside a journal holds, as SQLite will read it.

    `frames` is how many frames SQLite will use (up to the last valid
    commit). When a frame fails its checksum, SQLite stops there: `lost`
    counts the commits after that point written in this WAL's generation,
    which SQLite will drop. One unreadable commit at the very end can be a
    write cut off by a power failure (it was never acknowledged); more, or one
    followed by others, is damage."""

    size: int
    frames: int = 0
    commits: int = 0
    bad_frame: int | None = None  # 1-based number of the first frame SQLite will not read
    lost: int = 0
    bad_header: bool = False

    @property
    def damaged(self) -> bool:
        return self.bad_header or self.lost > 1

    @property
    def torn_tail(self) -> bool:
        return not self.damaged and self.lost == 1


def _checksum(data: bytes, s0: int, s1: int, big: bool) -> tuple[int, int]:
    words = struct.unpack((">" if big else "<") + f"{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def check_wal(path: str) -> WalCheck | None:
    """The WAL beside the journal at `path` (None when there is none, or it
    is empty: everything is in the main file)."""
    try:
        with open(wal_path(path), "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    if not data:
        return None
    if len(data) < WAL_HEADER:
        return WalCheck(len(data), bad_header=True)
    magic, version, page_size, _, salt1, salt2, c0, c1 = struct.unpack(">8I", data[:WAL_HEADER])
    big = magic == _WAL_MAGIC[1]
    valid_size = page_size >= 512 and page_size <= 65536 and not page_size & (page_size - 1)
    if magic not in _WAL_MAGIC or version != 3007000 or not valid_size:
        return WalCheck(len(data), bad_header=True)
    s0, s1 = _checksum(data[:24], 0, 0, big)
    if (s0, s1) != (c0, c1):
        return WalCheck(len(data), bad_header=True)
    frame_size = FRAME_HEADER + page_size
    count = (len(data) - WAL_HEADER) // frame_size
    frames = commits = 0
    bad: int | None = None
    lost = 0
    for i in range(count):
        at = WAL_HEADER + i * frame_size
        head = data[at : at + FRAME_HEADER]
        pgno, commit, f1, f2, k0, k1 = struct.unpack(">6I", head)
        current = (f1, f2) == (salt1, salt2)
        if bad is None:
            if not current or pgno == 0:
                bad = i + 1
            else:
                t0, t1 = _checksum(head[:8], s0, s1, big)
                t0, t1 = _checksum(data[at + FRAME_HEADER : at + frame_size], t0, t1, big)
                if (t0, t1) != (k0, k1):
                    bad = i + 1
                else:
                    s0, s1 = t0, t1
                    if commit:
                        commits += 1
                        frames = i + 1
                    continue
        if current and commit:
            lost += 1
    return WalCheck(len(data), frames, commits, bad if lost else None, lost)


def shm_path(path: str) -> str:
    return path + "-shm"


def wal_lost(path: str) -> int | None:
    """How many WAL frames the WAL index (`-shm`) says were written and not
    yet folded into the main file, when the WAL no longer holds them: it was
    deleted or cut short after a crash (None when nothing is missing, or
    there is no index to tell). SQLite itself would start afresh and say
    nothing; the next writer would erase this last trace."""
    try:
        with open(shm_path(path), "rb") as f:
            data = f.read(136)
    except OSError:
        return None
    if len(data) < 136 or data[0:48] != data[48:96]:
        return None  # no index, or one being written: it tells nothing
    version, _, _, is_init, _, page, frames, _ = struct.unpack("=IIIBBHII", data[:24])
    (backfilled,) = struct.unpack("=I", data[96:100])
    if version != 3007000 or not is_init or frames <= backfilled:
        return None
    page = 65536 if page == 1 else page
    try:
        size = os.stat(wal_path(path)).st_size
    except OSError:
        size = 0
    if size >= WAL_HEADER + frames * (FRAME_HEADER + page):
        return None
    return int(frames - backfilled)
