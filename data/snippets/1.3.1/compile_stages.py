# caption: 单文件与多文件编译：预处理、编译、汇编、链接四个阶段的产物，nm 看未定义符号，静态库放在目标文件前面为什么会链接失败
# point: 单文件编译与多文件编译
# timeout: 30
"""Walk through what `cc` does, one stage at a time.

1. single file: cc -E (preprocess), -S (compile to asm), -c (assemble), link
2. multi file: each .c is its own translation unit; nm shows main.o needs an
   undefined symbol that util.o defines; the linker joins them.
3. static library order: the linker scans archives left to right and only
   pulls members that resolve symbols already undefined, so `-lutil main.o`
   fails while `main.o -lutil` links.
Needs cc (and ar/nm from binutils); otherwise prints a note and exits 0.
"""
import os
import shutil
import subprocess
import sys

tools = ("cc", "ar", "nm")
if not all(shutil.which(t) for t in tools):
    print("note: cc/ar/nm not found; install build-essential to run this demo")
    sys.exit(0)

D = os.path.abspath("stages_demo")
shutil.rmtree(D, ignore_errors=True)
os.makedirs(D)
ENV = dict(os.environ, LC_ALL="C")


def sh(*cmd, ok=True):
    r = subprocess.run(cmd, cwd=D, env=ENV, capture_output=True, text=True, timeout=20)
    if ok and r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return r


def write(name, text):
    with open(os.path.join(D, name), "w") as f:
        f.write(text)


write("util.h", "#ifndef UTIL_H\n#define UTIL_H\n#define GREETING \"hello\"\n"
                "int add(int a, int b);\n#endif\n")
write("util.c", '#include "util.h"\nint add(int a, int b) { return a + b; }\n')
write("main.c", '#include <stdio.h>\n#include "util.h"\n'
                'int main(void) { printf("%s %d\\n", GREETING, add(40, 2)); return 0; }\n')
write("single.c", '#include <stdio.h>\nint main(void) { puts("single"); return 0; }\n')

# 1. single file, stage by stage
sh("cc", "-E", "single.c", "-o", "single.i")
sh("cc", "-S", "single.i", "-o", "single.s")
sh("cc", "-c", "single.s", "-o", "single.o")
sh("cc", "single.o", "-o", "single")
with open(os.path.join(D, "single.i")) as f:
    i_lines = sum(1 for _ in f)
with open(os.path.join(D, "single.s")) as f:
    asm = f.read()
assert i_lines > 100                 # <stdio.h> got pasted in
assert "main" in asm
assert sh(os.path.join(D, "single")).stdout == "single\n"
print(f"-E single.i: {i_lines} lines (stdio.h expanded from 3 source lines)")
print(f"-S single.s: {asm.count(chr(10))} lines of assembly; -c single.o; link -> ./single prints 'single'")

# 2. two translation units
sh("cc", "-O2", "-Wall", "-c", "main.c")
sh("cc", "-O2", "-Wall", "-c", "util.c")
nm_main = sh("nm", "main.o").stdout
nm_util = sh("nm", "util.o").stdout
assert any(l.split()[-2:] == ["U", "add"] for l in nm_main.splitlines())
assert any(l.split()[-2:] == ["T", "add"] for l in nm_util.splitlines())
print("nm main.o: U add   (undefined: needed from elsewhere)")
print("nm util.o: T add   (defined in the text section)")
sh("cc", "main.o", "util.o", "-o", "app")
assert sh(os.path.join(D, "app")).stdout == "hello 42\n"
print("cc main.o util.o -o app -> prints 'hello 42'")

# 3. static library and link order
sh("ar", "rcs", "libutil.a", "util.o")
members = sh("ar", "t", "libutil.a").stdout.split()
assert members == ["util.o"]
bad = sh("cc", "-L.", "-lutil", "main.o", "-o", "app_bad", ok=False)
if bad.returncode != 0:
    assert "add" in bad.stderr and "undefined" in bad.stderr, bad.stderr
    print("cc -L. -lutil main.o  -> link error: undefined reference to `add'")
else:   # LLVM lld remembers archive symbols, so order does not matter there
    print("note: this linker resolved the archive regardless of order (lld does; GNU ld does not)")
sh("cc", "main.o", "-L.", "-lutil", "-o", "app_good")
assert sh(os.path.join(D, "app_good")).stdout == "hello 42\n"
print("cc main.o -L. -lutil  -> links, prints 'hello 42'")

# 4. change only the header constant: objects that include it must rebuild
write("util.h", "#ifndef UTIL_H\n#define UTIL_H\n#define GREETING \"hi\"\n"
                "int add(int a, int b);\n#endif\n")
sh("cc", "main.o", "util.o", "-o", "stale")
assert sh(os.path.join(D, "stale")).stdout == "hello 42\n"
sh("cc", "-O2", "-Wall", "-c", "main.c")
sh("cc", "main.o", "util.o", "-o", "fresh")
assert sh(os.path.join(D, "fresh")).stdout == "hi 42\n"
print("edit util.h, relink old main.o -> still 'hello 42'; recompile main.c -> 'hi 42'")
shutil.rmtree(D)
print("all compile-stage checks passed")
