# caption: 模型：appender 文件实现断点续传（续传前先问服务端已有多少字节；不问就重发会写坏文件），以及按“大小 + MD5”签名去重、重复文件只建符号链接并维护引用计数
# point: 支持断点续传
# timeout: 30
import hashlib
import os
import shutil
import tempfile

CHUNK = 64 << 10


class Storage:
    """a model of one FastDFS storage's appender and duplicate-check logic (not FastDFS code)"""

    def __init__(self, root):
        self.root, self.seq = root, 0
        self.sigs = {}                                      # signature -> [source file id, reference count]
        self.links = {}                                     # linked file id -> signature

    def path(self, fid):
        return os.path.join(self.root, fid)

    def _new_id(self, ext):
        self.seq += 1
        return f"M00/00/00/f{self.seq:06d}.{ext}"

    def upload_appender(self, ext):                         # cmd 23: an empty file that may grow
        fid = self._new_id(ext)
        os.makedirs(os.path.dirname(self.path(fid)), exist_ok=True)
        open(self.path(fid), "wb").close()
        return fid

    def append(self, fid, data):                            # cmd 24: always at the current end
        with open(self.path(fid), "ab") as f:
            f.write(data)

    def file_info(self, fid):                               # cmd 22 (QUERY_FILE_INFO): size for resuming
        return os.path.getsize(self.path(fid))

    def upload(self, data, ext):                            # cmd 11 with check_file_duplicate = 1
        sig = len(data).to_bytes(8, "big") + hashlib.md5(data).digest()   # 24-byte signature
        if sig not in self.sigs:                            # new content: store it once as the source file
            src = self._new_id(ext)
            os.makedirs(os.path.dirname(self.path(src)), exist_ok=True)
            with open(self.path(src), "wb") as f:
                f.write(data)
            self.sigs[sig] = [src, 0]                       # FastDHT keeps sig -> source id and a ref count
        entry = self.sigs[sig]
        fid = self._new_id(ext)                             # every client id is a symbolic link to the source
        os.symlink(os.path.basename(entry[0]), self.path(fid))
        entry[1] += 1
        self.links[fid] = sig
        return fid

    def delete(self, fid):
        entry = self.sigs[self.links.pop(fid)]
        os.unlink(self.path(fid))
        entry[1] -= 1
        if entry[1] == 0:                                   # last reference: the data goes
            os.unlink(self.path(entry[0]))
            del self.sigs[next(k for k, v in self.sigs.items() if v is entry)]


root = tempfile.mkdtemp()
try:
    st = Storage(root)
    blob = os.urandom(1 << 20)
    chunks = [blob[i:i + CHUNK] for i in range(0, len(blob), CHUNK)]

    # 1. resumable upload: the connection dies after 7 chunks; the 8th reached the disk but was never acked
    fid = st.upload_appender("mp4")
    for c in chunks[:8]:
        st.append(fid, c)
    acked = 7
    have = st.file_info(fid)                                # resume from what the server really has
    print(f"interrupted: client saw {acked} acks, server has {have} bytes; resume at offset {have}")
    for c in chunks[have // CHUNK:]:
        st.append(fid, c)
    got = open(st.path(fid), "rb").read()
    assert got == blob
    print(f"resumed upload complete: {len(got)} bytes, sha256 matches")

    bad = st.upload_appender("mp4")                         # naive resume from the client's own counter
    for c in chunks[:8] + chunks[acked:]:
        st.append(bad, c)
    print(f"naive resume from acked chunk {acked}: size {st.file_info(bad)} != {len(blob)} (chunk 7 twice)")
    assert st.file_info(bad) == len(blob) + CHUNK

    # 2. the same content uploaded three times is stored once
    photo = os.urandom(300_000)
    ids = [st.upload(photo, "jpg") for _ in range(3)]
    files = [n for n in os.listdir(os.path.join(root, "M00/00/00")) if not os.path.islink(os.path.join(root, "M00/00/00", n))]
    print("three uploads of one photo:", [os.path.basename(i) for i in ids], "all symlinks; regular files in the dir:", len(files) - 2)
    assert all(os.path.islink(st.path(i)) for i in ids) and len(files) == 3    # 2 appender files + 1 photo
    assert all(open(st.path(i), "rb").read() == photo for i in ids)
    st.delete(ids[2])                                       # a link goes, the data stays for the others
    assert st.sigs and open(st.path(ids[1]), "rb").read() == photo
    st.delete(ids[1])
    st.delete(ids[0])
    assert len(os.listdir(os.path.join(root, "M00/00/00"))) == 2 and not st.sigs
    print("after deleting all three references the data is gone")
finally:
    shutil.rmtree(root)
