"""Docker's multiplexed stream format, decoded from reads of any size.

A non-TTY attach, exec or log stream is a series of frames: one byte for the
stream (1 = stdout, 2 = stderr), three zero bytes, a big-endian 32-bit size,
then that many bytes. Reads do not follow frame boundaries, so bytes are
buffered and whole frames cut out of the buffer. `FrameDecoder` does this for
exec output; `log_lines.LogParser` does it for logs, cutting lines as it goes.
"""

from __future__ import annotations

import struct

STDOUT = 1
STDERR = 2
HEADER = struct.Struct(">B3xI")  # stream byte, three zero bytes, big-endian payload size
HEADER_SIZE = HEADER.size


class FrameDecoder:
    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """Add bytes; return the (stream, payload) frames now complete."""
        buffer = self._buffer
        buffer += data
        frames = []
        position = 0
        end = len(buffer)
        while end - position >= HEADER_SIZE:
            stream, size = HEADER.unpack_from(buffer, position)
            start = position + HEADER_SIZE
            if end - start < size:
                break
            frames.append((stream, bytes(buffer[start : start + size])))
            position = start + size
        del buffer[:position]
        return frames
