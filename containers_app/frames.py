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
    makes a 200,000-line log fast.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._left = 0  # payload bytes still due in the current chunk
        self.finished = False

    def feed(self, data: bytes) -> bytes:
        buffer = self._buffer
        buffer += data
        out = bytearray()
        position = 0
        end = len(buffer)
        while position < end and not self.finished:
            if self._left:
                take = min(self._left, end - position)
                out += buffer[position : position + take]
                position += take
                self._left -= take
                if self._left:
                    break
                continue
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                break
            if line_end == position:  # the CRLF that closes a chunk's data
                position += 2
                continue
            size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
            position = line_end + 2
            if size == 0:
                self.finished = True
            self._left = size
        del buffer[:position]
        return bytes(out)
