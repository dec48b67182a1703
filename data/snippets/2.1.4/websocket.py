# caption: WebSocket 握手密钥计算、帧编解码（掩码、7/16/64 位长度、分片、控制帧），并在回环上跑一个带收发缓冲的 WebSocket 回显服务器
# point: websocket数据流的编解码
# timeout: 20
import base64
import hashlib
import os
import random
import selectors
import socket
import struct
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"     # fixed by RFC 6455
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class ProtocolError(Exception):
    """Maps to close code 1002."""


def accept_key(client_key):
    return base64.b64encode(hashlib.sha1((client_key + GUID).encode()).digest()).decode()


def apply_mask(data, mask):
    # XOR with the 4-byte key repeated; int arithmetic keeps it fast in pure Python
    n = len(data)
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


def encode_frame(opcode, payload, fin=True, mask=None):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    mbit = 0x80 if mask is not None else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if mask is None:
        return head + payload
    return head + mask + apply_mask(payload, mask)


class FrameDecoder:
    """Incremental: feed() any slice of the stream, get complete frames back."""

    def __init__(self, require_mask):
        self.buf = bytearray()
        self.require_mask = require_mask   # server side: client frames MUST be masked

    def feed(self, data):
        self.buf += data
        frames = []
        while True:
            if len(self.buf) < 2:
                break
            b0, b1 = self.buf[0], self.buf[1]
            fin, rsv, opcode = b0 >> 7, (b0 >> 4) & 7, b0 & 0x0F
            masked, n = b1 >> 7, b1 & 0x7F
            pos = 2
            if n == 126:
                if len(self.buf) < 4:
                    break
                n = struct.unpack_from("!H", self.buf, 2)[0]
                pos = 4
            elif n == 127:
                if len(self.buf) < 10:
                    break
                n = struct.unpack_from("!Q", self.buf, 2)[0]
                if n >> 63:
                    raise ProtocolError("64-bit length with the top bit set")
                pos = 10
            if rsv:
                raise ProtocolError("RSV bits without a negotiated extension")
            if masked != self.require_mask:
                raise ProtocolError("mask bit wrong for this direction")
            if opcode >= 0x8 and (not fin or n > 125):
                raise ProtocolError("control frames must be unfragmented and <= 125 bytes")
            if opcode not in (CONT, TEXT, BINARY, CLOSE, PING, PONG):
                raise ProtocolError("reserved opcode")
            need = pos + (4 if masked else 0) + n
            if len(self.buf) < need:
                break
            if masked:
                mask = bytes(self.buf[pos:pos + 4])
                payload = apply_mask(bytes(self.buf[pos + 4:need]), mask)
            else:
                payload = bytes(self.buf[pos:need])
            del self.buf[:need]
            frames.append((bool(fin), opcode, payload))
        return frames


class MessageAssembler:
    """Joins fragments; control frames may arrive between fragments."""

    def __init__(self):
        self.op = None
        self.parts = []

    def push(self, fin, opcode, payload):
        if opcode >= 0x8:
            return ("control", opcode, payload)
        if opcode == CONT:
            if self.op is None:
                raise ProtocolError("continuation without a start frame")
        else:
            if self.op is not None:
                raise ProtocolError("new data frame inside a fragmented message")
            self.op = opcode
        self.parts.append(payload)
        if not fin:
            return None
        op, data = self.op, b"".join(self.parts)
        self.op, self.parts = None, []
        if op == TEXT:
            data.decode("utf-8")            # invalid UTF-8 -> close 1007 in a real server
        return ("message", op, data)


def rfc_examples():
    # RFC 6455 1.3 and 4.2.2
    k = accept_key("dGhlIHNhbXBsZSBub25jZQ==")
    print(f"Sec-WebSocket-Key dGhlIHNhbXBsZSBub25jZQ== -> Sec-WebSocket-Accept {k}")
    assert k == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    # RFC 6455 5.7
    ex = {
        "unmasked text Hello": (encode_frame(TEXT, b"Hello"), "810548656c6c6f"),
        "masked text Hello": (encode_frame(TEXT, b"Hello", mask=bytes.fromhex("37fa213d")),
                              "818537fa213d7f9f4d5158"),
        "fragment 1 'Hel'": (encode_frame(TEXT, b"Hel", fin=False), "010348656c"),
        "fragment 2 'lo'": (encode_frame(CONT, b"lo"), "80026c6f"),
        "256-byte binary (16-bit len)": (encode_frame(BINARY, bytes(256))[:4], "827e0100"),
        "64 KiB binary (64-bit len)": (encode_frame(BINARY, bytes(65536))[:10], "827f0000000000010000"),
    }
    for name, (got, want) in ex.items():
        assert got.hex() == want, (name, got.hex())
        print(f"RFC 6455 example {name:30s} {want[:22]}")
    d = FrameDecoder(require_mask=False)
    frames = d.feed(bytes.fromhex("010348656c") + bytes.fromhex("890548656c6c6f") + bytes.fromhex("80026c6f"))
    asm = MessageAssembler()
    out = [asm.push(*f) for f in frames]
    assert out == [None, ("control", PING, b"Hello"), ("message", TEXT, b"Hello")]
    print("fragmented 'Hel'+'lo' with a PING in between -> PING handled, message 'Hello'")


# ---------------------------------------------------------------- server on selectors
class WsConn:
    def __init__(self, srv, sock):
        self.srv, self.sock = srv, sock
        self.rbuf = bytearray()
        self.wbuf = bytearray()
        self.upgraded = False
        self.dec = FrameDecoder(require_mask=True)
        self.asm = MessageAssembler()
        self.closing = False
        srv.sel.register(sock, selectors.EVENT_READ, self)

    def on_read(self):
        data = self.sock.recv(65536)
        if not data:
            return self.close()
        if not self.upgraded:
            self.rbuf += data
            if b"\r\n\r\n" not in self.rbuf:
                return
            head, _, rest = bytes(self.rbuf).partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            hdr = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
            assert lines[0].startswith("GET ") and hdr.get("upgrade", "").lower() == "websocket"
            assert "upgrade" in hdr.get("connection", "").lower() and hdr.get("sec-websocket-version") == "13"
            self.wbuf += ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                          f"{accept_key(hdr['sec-websocket-key'])}\r\n\r\n").encode()
            self.upgraded = True
            data = rest
        try:
            for f in self.dec.feed(data):
                ev = self.asm.push(*f)
                if ev is None:
                    continue
                kind, op, payload = ev
                if kind == "message":
                    self.srv.messages += 1
                    self.wbuf += encode_frame(op, payload)            # echo, unmasked
                elif op == PING:
                    self.wbuf += encode_frame(PONG, payload)
                elif op == CLOSE:
                    self.wbuf += encode_frame(CLOSE, payload[:2])     # echo the status code
                    self.closing = True
        except ProtocolError:
            self.wbuf += encode_frame(CLOSE, struct.pack("!H", 1002))
            self.closing = True
        self.flush()

    def flush(self):
        if self.wbuf:
            try:
                n = self.sock.send(self.wbuf)
                del self.wbuf[:n]
            except BlockingIOError:
                pass
        if self.wbuf:
            self.srv.sel.modify(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, self)
        elif self.closing:
            self.close()
        else:
            self.srv.sel.modify(self.sock, selectors.EVENT_READ, self)

    def close(self):
        self.srv.sel.unregister(self.sock)
        self.sock.close()


class WsServer:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.lst = socket.socket()
        self.lst.bind(("127.0.0.1", 0))
        self.lst.listen(16)
        self.lst.setblocking(False)
        self.sel.register(self.lst, selectors.EVENT_READ, None)
        self.stop = False
        self.messages = 0

    def serve(self):
        for _ in range(100000):
            if self.stop:
                break
            for key, mask in self.sel.select(0.05):
                if key.data is None:
                    s, _ = self.lst.accept()
                    s.setblocking(False)
                    WsConn(self, s)
                    continue
                if mask & selectors.EVENT_READ:
                    key.data.on_read()
                if mask & selectors.EVENT_WRITE and key.data.sock.fileno() != -1:
                    key.data.flush()
        self.sel.close()
        self.lst.close()


def client_session(port, rng):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    head, _, rest = buf.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101 ") and accept_key(key).encode() in head
    m = lambda: bytes(rng.getrandbits(8) for _ in range(4))          # client frames are masked
    big = bytes(rng.getrandbits(8) for _ in range(70000))             # needs the 64-bit length
    out = (encode_frame(TEXT, "你好, websocket".encode(), mask=m())
           + encode_frame(BINARY, bytes(300), mask=m())                # 16-bit length
           + encode_frame(BINARY, big, mask=m())
           + encode_frame(TEXT, b"frag-", fin=False, mask=m())
           + encode_frame(PING, b"are you there", mask=m())            # between fragments
           + encode_frame(CONT, b"mented", mask=m())
           + encode_frame(CLOSE, struct.pack("!H", 1000), mask=m()))
    pos = 0
    while pos < len(out):                                              # odd-sized writes
        step = rng.randint(1, 5000)
        s.sendall(out[pos:pos + step])
        pos += step
    dec = FrameDecoder(require_mask=False)                             # server frames are not masked
    frames = dec.feed(rest)
    while not frames or frames[-1][1] != CLOSE:
        chunk = s.recv(65536)
        assert chunk
        frames += dec.feed(chunk)
    s.close()
    return frames, big


def main():
    rfc_examples()
    srv = WsServer()
    th = threading.Thread(target=srv.serve)
    th.start()
    try:
        frames, big = client_session(srv.lst.getsockname()[1], random.Random(6455))
    finally:
        srv.stop = True
        th.join(10)
    got = [(op, p) for _, op, p in frames]
    assert got == [(TEXT, "你好, websocket".encode()), (BINARY, bytes(300)), (BINARY, big),
                   (PONG, b"are you there"), (TEXT, b"frag-mented"), (CLOSE, struct.pack("!H", 1000))]
    print("live server: 101 handshake ok; echoed text, 300 B, 70000 B; PONG; 'frag-mented'; close 1000")
    assert srv.messages == 4
    try:
        FrameDecoder(require_mask=True).feed(encode_frame(TEXT, b"x"))
        raise AssertionError("unmasked client frame accepted")
    except ProtocolError:
        print("unmasked frame from a client -> ProtocolError (close 1002)")
    print("OK")


if __name__ == "__main__":
    main()
