"""Docker's multiplexed stream format, decoded from reads of any size.

A non-TTY attach, exec or log stream is a series of frames: one byte for the
stream (1 = stdout, 2 = stderr), three zero bytes, a big-endian 32-bit size,
then that many bytes. Reads do not follow frame boundaries, so bytes are
buffered and whole frames cut out of the buffer.
"""

from __future__ import annotations

STDOUT = 1
STDERR = 2
HEADER_SIZE = 8


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
            size = int.from_bytes(buffer[position + 4 : position + 8], "big")
            start = position + HEADER_SIZE
            if end - start < size:
                break
            frames.append((buffer[position], bytes(buffer[start : start + size])))
            position = start + size
        del buffer[:position]
        return frames

    @property
    def pending(self) -> int:
        """Bytes held back because their frame is not complete yet."""
        return len(self._buffer)
