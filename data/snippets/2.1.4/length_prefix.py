# caption: TCP 粘包/分包：按 recv 边界切消息会出错，4 字节长度前缀 + 增量解码器在任意切分下都能还原每条消息
# point: tcp分包与粘包的解决方案
# timeout: 15
import random
import socket
import struct
import threading

HEADER = struct.Struct("!I")      # 4-byte big-endian length
MAX_MSG = 1 << 20                 # refuse absurd lengths instead of allocating them


def encode(msg):
    return HEADER.pack(len(msg)) + msg


class Decoder:
    def __init__(self):
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= HEADER.size:
            (n,) = HEADER.unpack_from(self.buf)
            if n > MAX_MSG:
                raise ValueError(f"length {n} exceeds limit: corrupt stream or attack")
            if len(self.buf) < HEADER.size + n:
                break                                  # half a message: wait ("分包")
            out.append(bytes(self.buf[HEADER.size:HEADER.size + n]))
            del self.buf[:HEADER.size + n]             # loop: several in one read ("粘包")
        return out


def make_messages(rng, count):
    return [bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 5, 100, 3000, 70000])))
            for _ in range(count)]


def main():
    rng = random.Random(7)
    msgs = make_messages(rng, 60)
    stream = b"".join(encode(m) for m in msgs)

    # 1) the naive reader: "one read = one message" is wrong as soon as reads
    #    do not line up with writes
    pos, naive = 0, []
    while pos < len(stream):
        step = rng.randint(1, 9000)
        naive.append(stream[pos:pos + step])
        pos += step
    wrong = sum(1 for a, b in zip(naive, (encode(m) for m in msgs)) if a != b)
    print(f"naive 'one recv = one message': {len(naive)} reads for {len(msgs)} messages, "
          f"{wrong} reads do not match a message")
    assert wrong > 0

    # 2) the length-prefix decoder under 200 random chunkings (1..9000 bytes, and single bytes)
    for trial in range(200):
        d, got, pos = Decoder(), [], 0
        while pos < len(stream):
            step = 1 if trial == 0 else rng.randint(1, 9000)
            got += d.feed(stream[pos:pos + step])
            pos += step
        assert got == msgs and not d.buf
    print(f"length prefix: {len(msgs)} messages, {len(stream)} bytes, 200 random chunkings "
          f"(incl. byte-by-byte) -> all messages exact")

    # 3) over a real loopback TCP connection, with writes that merge and split messages
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)

    def sender():
        with socket.create_connection(lst.getsockname()) as c:
            p = 0
            r = random.Random(8)
            while p < len(stream):
                step = r.randint(1, 20000)
                c.sendall(stream[p:p + step])
                p += step

    t = threading.Thread(target=sender)
    t.start()
    conn, _ = lst.accept()
    d, got, reads = Decoder(), [], 0
    with conn:
        while True:
            chunk = conn.recv(rng.randint(1, 16384))
            if not chunk:
                break
            reads += 1
            got += d.feed(chunk)
    t.join()
    lst.close()
    assert got == msgs and not d.buf
    print(f"loopback TCP: {len(got)} messages decoded exactly (recv count varies run to run)")

    # 4) a corrupt length is rejected rather than trusted
    try:
        Decoder().feed(HEADER.pack(0xFFFFFFFF) + b"x")
        raise AssertionError("huge length accepted")
    except ValueError as e:
        print(f"corrupt header -> {e}")
    print("OK")


if __name__ == "__main__":
    main()
