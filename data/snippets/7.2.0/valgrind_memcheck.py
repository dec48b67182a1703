# caption: 用真正的 Valgrind 3.19 检查一个埋了三个错的 C 程序：memcheck 的 XML 报告里逐一找到泄漏、越界读和未初始化值（带函数名和行号），再用 callgrind 找出最耗指令的函数
# point: 内存调试性能分析工具 Valgrind
# timeout: 30
import re, subprocess
import xml.etree.ElementTree as ET

SRC = r'''#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static char *make_name(void) { char *p = malloc(64); strcpy(p, "never freed"); return p; }
static int read_past_end(void) {
    int *a = malloc(4 * sizeof(int));
    for (int i = 0; i < 4; i++) a[i] = i;
    int x = a[4];                                   /* line 8: one int past the block */
    free(a);
    return x;
}
static int use_uninit(void) {
    int *v = malloc(sizeof(int));                   /* never written */
    int r = *v > 0 ? 1 : 2;                         /* line 14: branch on garbage */
    free(v);
    return r;
}
static long hot_loop(long n) { long s = 0; for (long i = 0; i < n; i++) s += i % 7; return s; }
static long cold_loop(long n) { long s = 0; for (long i = 0; i < n; i++) s += i % 7; return s; }
int main(void) {
    char *name = make_name();
    printf("%s %d %d\n", name, read_past_end(), use_uninit());
    name = NULL;                                    /* the 64-byte block is now unreachable */
    printf("%ld %ld\n", hot_loop(2000000), cold_loop(200000));
    return 0;
}
'''
open("buggy.c", "w").write(SRC)
subprocess.run(["cc", "-g", "-O0", "-o", "buggy", "buggy.c"], check=True)
subprocess.run(["valgrind", "--tool=memcheck", "--leak-check=full", "--track-origins=yes",
                "--xml=yes", "--xml-file=mc.xml", "./buggy"], check=True, capture_output=True)
errors = {}
for e in ET.parse("mc.xml").getroot().iter("error"):
    kind = e.findtext("kind")
    frame = next(f for f in e.find("stack").iter("frame") if f.findtext("file") == "buggy.c")
    errors[kind] = (frame.findtext("fn"), int(frame.findtext("line")), e.findtext("xwhat/text") or e.findtext("what"))
for kind, (fn, line, what) in sorted(errors.items()):
    print(f"{kind:20s} {fn}:{line:<3d} {what[:60]}")
assert errors["InvalidRead"][:2] == ("read_past_end", 8)
assert errors["UninitCondition"][:2] == ("use_uninit", 14)
assert errors["Leak_DefinitelyLost"][0] == "make_name"          # leak is reported at its malloc call site
assert "64 bytes" in errors["Leak_DefinitelyLost"][2]

subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=cg.out", "./buggy"],
               check=True, capture_output=True)
ann = subprocess.run(["callgrind_annotate", "cg.out"], check=True, capture_output=True, text=True).stdout
ir = {}
for m in re.finditer(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+buggy\.c:(\w+)", ann, re.M):
    ir[m[2]] = int(m[1].replace(",", ""))
print("callgrind Ir:", {k: ir[k] for k in ("main", "hot_loop", "cold_loop") if k in ir})
assert ir["hot_loop"] > 5 * ir["cold_loop"]  # 10x the iterations -> about 10x the instructions
print("OK: memcheck found all three planted bugs; callgrind ranks hot_loop first")
