# caption: 真实剖析一个真实程序：perf record -e cpu-clock -g 采样调用栈，自己写的折叠（fold）代码把 perf script 的输出合并成“栈;栈;栈 次数”，再自己画成火焰图 SVG，并断言最宽的是热点函数
# point: 火焰图分析与生成
# timeout: 60
# needs: root
import collections
import hashlib
import html
import os
import subprocess
import xml.etree.ElementTree as ET

WORK = r'''#include <stdio.h>
static volatile long sink;
__attribute__((noinline)) void checksum(long n) { for (long i = 0; i < n; i++) sink += i ^ (i >> 3); }
__attribute__((noinline)) void parse_request(void) { checksum(1000000); }
__attribute__((noinline)) void compress_reply(void) { checksum(4000000); }
__attribute__((noinline)) void write_log(void) { checksum(300000); }
int main(void) {
    for (int r = 0; r < 60; r++) { parse_request(); compress_reply(); write_log(); }
    printf("%ld\n", sink);
    return 0;
}
'''
open("work.c", "w").write(WORK)
# -O0: every function, leaf included, keeps its frame pointer and makes real calls, so perf's default
# unwinder (-g = frame pointers) sees every caller. GCC 12 at -O1 drops the leaf's frame even with
# -fno-omit-frame-pointer, and the leaf's caller then vanishes from every sample.
subprocess.run(["cc", "-O0", "-o", "work", "work.c"], check=True)
subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "997", "-g", "-o", "perf.data", "./work"],
               check=True, capture_output=True)
script = subprocess.run(["perf", "script", "-i", "perf.data"], check=True, capture_output=True, text=True).stdout

folded = collections.Counter()          # our own folding: one line per distinct stack, root first
for block in script.strip().split("\n\n"):
    lines = block.strip().split("\n")
    if not lines[0].startswith("work"):
        continue
    frames = [l.split()[1].split("+")[0] for l in lines[1:] if len(l.split()) >= 2]
    folded[";".join(reversed(frames))] += 1
total = sum(folded.values())
for stack, n in folded.most_common(4):
    print(f"{n:5d}  {stack[-70:]}")

def tree(stacks):                        # name -> [count, children]
    root = [0, {}]
    for stack, n in stacks.items():
        node = root
        node[0] += n
        for f in stack.split(";"):
            node = node[1].setdefault(f, [0, {}])
            node[0] += n
    return root

W, H = 1000, 17
rects = []
def layout(node, x, depth):
    for name, child in sorted(node[1].items()):
        w = W * child[0] / total
        rects.append((name, x, depth, w, child[0]))
        layout(child, x, depth + 1)
        x += w
root = tree(folded)
layout(root, 0.0, 0)
depth = max(r[2] for r in rects) + 1
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{depth * H}" viewBox="0 0 {W} {depth * H}" '
       'font-family="monospace" font-size="11">']
for name, x, d, w, n in rects:
    hue = int(hashlib.md5(name.encode()).hexdigest()[:2], 16) % 40    # warm colours, stable per name
    y = (depth - 1 - d) * H                                           # root at the bottom
    label = html.escape(name)                                         # C++ frames carry < > &
    svg.append(f'<g><title>{label} ({n} samples, {100 * n / total:.1f}%)</title>'
               f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{H - 1}" fill="hsl({hue},90%,60%)"/>'
               + (f'<text x="{x + 3:.1f}" y="{y + 12}">{html.escape(name[: int(w / 7)])}</text>' if w > 30 else "")
               + "</g>")
svg.append("</svg>")
out = os.path.join(os.environ.get("ATLAS_FIGURES", "."), "flame.svg")  # the site shows what lands in ATLAS_FIGURES
open(out, "w").write("\n".join(svg))

titles = list(ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}title"))
def find(node, name):
    return node[1].get(name) or next((f for c in node[1].values() if (f := find(c, name))), None)
widest = max(find(root, "main")[1].items(), key=lambda kv: kv[1][0])[0]
share = {f: sum(n for s, n in folded.items() if f in s.split(";")) / total
         for f in ("parse_request", "compress_reply", "write_log", "checksum")}
print(f"{total} samples, {len(folded)} distinct stacks, {len(rects)} rects, depth {depth}; flame.svg written")
print("share of samples:", {f: f"{v:.0%}" for f, v in share.items()})
assert total > 100 and len(titles) == len(rects)  # the SVG parses and holds one frame per rect
assert widest == "compress_reply"
assert share["compress_reply"] > share["parse_request"] > share["write_log"]   # 4 : 1 : 0.3 of the work
assert share["compress_reply"] > 0.5 and share["checksum"] > 0.9               # the leaf does the work
print(f"OK: the widest frame above main is {widest}, the hot function")
