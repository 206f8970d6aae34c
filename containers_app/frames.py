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


class ChunkedDecoder:
    """HTTP/1.1 chunked transfer coding, decoded from reads of any size.

    Streaming Engine API responses send every log entry as its own chunk; the
    response object then returns one tiny chunk per read call. Reading the
    connection in large blocks and removing the chunk framing here is what
    makes a 200,000-line log fast; the loop does as little as it can per chunk.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._left = 0  # data bytes still due in the current chunk
        self._crlf = 0  # bytes of the CRLF after the current chunk's data still due
        self.finished = False

    def feed(self, data: bytes) -> bytes:
        buffer = self._buffer
        buffer += data
        pieces = []
        position = 0
        end = len(buffer)
        if self._left or self._crlf:
            take = min(self._left, end)
            pieces.append(buffer[:take])
            self._left -= take
            position = take
            if self._left == 0:
                skip = min(self._crlf, end - position)
                self._crlf -= skip
                position += skip
        find = buffer.find
        while not (self._left or self._crlf or self.finished):
            line_end = find(b"\r\n", position)
            if line_end < 0:
                break
            size = int(buffer[position:line_end].split(b";", 1)[0], 16)
            start = line_end + 2
            stop = start + size
            if size == 0:
                self.finished = True
                position = min(stop + 2, end)
                break
            if stop + 2 <= end:
                pieces.append(buffer[start:stop])
                position = stop + 2
                continue
            available = min(stop, end)
            pieces.append(buffer[start:available])
            self._left = stop - available
            self._crlf = 2 - max(0, end - stop) if self._left == 0 else 2
            position = end
        del buffer[:position]
        return b"".join(pieces)
