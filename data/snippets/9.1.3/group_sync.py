# caption: 模型：同组两台 storage 经 binlog 异步同步（源操作大写、副本操作小写不再转发），tracker 按“源 storage 或已同步过创建时间”挑下载节点；一台宕机后读写都落到另一台，恢复后补同步
# point: 同步机制
# timeout: 30
import itertools

clock = itertools.count(1000)                  # logical seconds


class Storage:
    def __init__(self, sid, group):
        self.sid, self.group, self.files, self.binlog = sid, group, {}, []
        self.marks, self.synced_from, self.alive = {}, {}, True   # peer -> binlog offset / timestamp

    def upload(self, data):
        ts = next(clock)
        name = f"M00/00/00/{self.sid}-{ts}"    # the real name encodes the source id and the timestamp
        self.files[name] = data
        self.binlog.append((ts, "C", name))    # uppercase: a source operation
        return name, ts

    def sync_to(self, peer, limit=100):
        """one round of the sync thread self -> peer: replay own source records from the mark"""
        if not (self.alive and peer.alive):
            return 0
        start = self.marks.get(peer.sid, 0)
        sent = 0
        for ts, op, name in self.binlog[start:start + limit]:
            if op == "C":                      # lowercase replica records are never forwarded again
                peer.files[name] = self.files[name]
                peer.binlog.append((ts, "c", name))
                sent += 1
            peer.synced_from[self.sid] = ts    # the peer reports this to the tracker
        self.marks[peer.sid] = start + len(self.binlog[start:start + limit])
        return sent


class Tracker:
    def __init__(self, members):
        self.members, self.rr = members, itertools.count()

    def fetch(self, name):                     # tracker_mem_get_storage_by_filename, simplified
        src, ts = name.split("/")[-1].split("-")
        live = [s for s in self.members if s.alive]
        for _ in range(len(live)):
            s = live[next(self.rr) % len(live)]
            if s.sid == src or s.synced_from.get(src, 0) >= int(ts):
                return s
        raise LookupError(name)

    def store(self):
        return [s for s in self.members if s.alive][next(self.rr) % sum(s.alive for s in self.members)]


a, b = Storage("A", "group1"), Storage("B", "group1")
tr = Tracker([a, b])
ids = [a.upload(f"photo{i}".encode())[0] for i in range(6)]

naive = [m for m, n in zip(itertools.cycle([a, b]), ids) if n not in m.files]
print(f"before sync: B has {len(b.files)} files; naive round-robin reads miss {len(naive)} of {len(ids)}")
assert len(naive) == 3
served = [tr.fetch(n).sid for n in ids]
print("tracker-chosen readers before sync:", served)
assert set(served) == {"A"}

print(f"sync A->B sent {a.sync_to(b)} files; B->A sent {b.sync_to(a)} (replica records are not echoed)")
served = [tr.fetch(n).sid for n in ids]
print("tracker-chosen readers after sync:", served)
assert set(served) == {"A", "B"} and b.files == a.files

a.alive = False                                 # heartbeats stop: the tracker marks A offline
new = [tr.store().upload(b"while A is down")[0] for _ in range(3)]
assert all(n.split("/")[-1].startswith("B-") for n in new) and all(tr.fetch(n) is b for n in ids + new)
print(f"A offline: {len(new)} uploads and all {len(ids + new)} reads served by B")
a.alive = True                                  # A comes back and catches up from B's binlog
print(f"A back: B->A sent {b.sync_to(a)} files; A now has {len(a.files)} files")
assert a.files == b.files and len(a.files) == 9
