# caption: 短链接服务的容量估算，每一步都算出来并自检：日增 1 亿条、读写比 100:1、保存 5 年——写/读 QPS（平均与峰值）、总条数决定的短码长度、存储量、热点缓存和出口带宽
# point: 容量估算
# timeout: 10
import math

NEW_PER_DAY = 100_000_000        # assumption: new short links per day
READ_WRITE = 100                 # assumption: redirects per created link
PEAK = 3                         # assumption: peak / average traffic
YEARS = 5
RECORD = 500                     # bytes per link: ~100 B URL, id, hash, timestamps, index overhead
HOT = 0.2                        # cache the hottest 20 % of one day's links (80/20 rule)
RESPONSE = 400                   # bytes of a redirect response on the wire (status line, Location, headers)
DAY = 86_400

write_qps = NEW_PER_DAY / DAY
read_qps = write_qps * READ_WRITE
total = NEW_PER_DAY * 365 * YEARS
length = next(n for n in range(1, 12) if 62 ** n >= total)
storage = total * RECORD
cache = NEW_PER_DAY * HOT * RECORD
bandwidth = read_qps * PEAK * RESPONSE

rows = [
    ("write QPS, average / peak", f"{write_qps:,.0f} / {write_qps * PEAK:,.0f}"),
    ("read QPS, average / peak", f"{read_qps:,.0f} / {read_qps * PEAK:,.0f}"),
    (f"links in {YEARS} years", f"{total:.3e}"),
    ("62^6 / 62^7", f"{62 ** 6:.3e} / {62 ** 7:.3e}"),
    ("code length needed", f"{length} chars (base62)"),
    ("storage", f"{storage / 1e12:,.1f} TB ({storage / 1e12 / 4:,.0f} shards of 4 TB)"),
    ("hot cache", f"{cache / 1e9:,.0f} GB"),
    ("egress at peak", f"{bandwidth / 1e6:,.0f} MB/s = {bandwidth * 8 / 1e9:.2f} Gbit/s"),
]
for name, value in rows:
    print(f"{name:<26} {value}")

assert round(write_qps) == 1157 and round(read_qps) == 115_741
assert 62 ** 6 < total < 62 ** 7 and length == 7          # 6 chars last only ~1.6 years at this rate
assert math.isclose(storage, 91.25e12) and math.isclose(cache, 10e9)
print(f"6-char codes run out after {62 ** 6 / NEW_PER_DAY / 365:.1f} years; 7 chars last "
      f"{62 ** 7 / NEW_PER_DAY / 365:,.0f} years")
