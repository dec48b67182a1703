// caption: 模板实例化的代价：同一个函数写成 template<int N> 并实例化 64 次，目标文件里就有 64 份机器码（nm -C 数符号，size 量 .text），写成运行期参数只有一份；两个编译单元各自实例化 Box<int> 时各有一份弱符号（W），链接器只留一份，extern template 让第二个单元不再生成
// point: 模板实例化与代码膨胀
// timeout: 90
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

static std::string run(const std::string &cmd) {
    std::string out;
    FILE *p = popen(cmd.c_str(), "r");
    assert(p);
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    assert(pclose(p) == 0);
    return out;
}
static long text_size(const char *obj) {          // the "text" column of size(1)
    std::string out = run(std::string("size ") + obj + " | tail -1");
    return std::atol(out.c_str());
}
static int count(const std::string &cmd) { return std::atoi(run(cmd + " | wc -l").c_str()); }

int main() {
    std::setvbuf(stdout, nullptr, _IONBF, 0);
    const char *body = "{ int r = x; for (int i = 0; i < 8; i++) r = r * 31 + (x >> (i % 5)) ^ K; return r; }\n";
    std::ofstream("tmpl.cpp") << "#include <utility>\ntemplate <int K> __attribute__((noinline)) int mix(int x) "
        << body << "template <int... K> int all(int x, std::integer_sequence<int, K...>) { return (mix<K>(x) + ...); }\n"
           "int use(int x) { return all(x, std::make_integer_sequence<int, 64>{}); }\n";
    std::ofstream("plain.cpp") << "__attribute__((noinline)) int mix(int K, int x) " << body
        << "int use(int x) { int s = 0; for (int k = 0; k < 64; k++) s += mix(k, x); return s; }\n";
    assert(std::system("c++ -std=c++17 -O2 -c tmpl.cpp && c++ -std=c++17 -O2 -c plain.cpp") == 0);
    int tcopies = count("nm -C --defined-only tmpl.o | grep ' int mix<'");
    int pcopies = count("nm -C --defined-only plain.o | grep ' mix('");
    long ttext = text_size("tmpl.o"), ptext = text_size("plain.o");
    std::printf("template<int K> mix, 64 instantiations: %d symbols, .text %ld bytes\n", tcopies, ttext);
    std::printf("mix(int K, int x):                       %d symbol,  .text %ld bytes (%.0fx smaller)\n", pcopies,
                ptext, (double)ttext / ptext);
    std::printf("  e.g. %s", run("nm -C --defined-only tmpl.o | grep ' int mix<' | head -1").c_str());
    assert(tcopies == 64 && pcopies == 1 && ttext > 10 * ptext);

    // Implicit instantiation in two translation units: a weak (W) copy in each object, one survives linking.
    // -O0 here, so that the optimizer neither inlines twice() nor clones it into a local copy.
    std::ofstream("box.h") << "template <class T> struct Box { T v; T twice() { return v + v; } };\n";
    std::ofstream("a.cpp") << "#include \"box.h\"\ntemplate struct Box<int>;  // explicit instantiation\n"
                              "int fa(int x) { return Box<int>{x}.twice(); }\n";
    std::ofstream("b.cpp") << "#include \"box.h\"\n#ifdef EXTERN\nextern template struct Box<int>;\n#endif\n"
                              "int fb(int x) { return Box<int>{x}.twice(); }\n"
                              "int fa(int); int main() { return fa(1) + fb(2) == 6 ? 0 : 1; }\n";
    assert(std::system("c++ -std=c++17 -O0 -c a.cpp && c++ -std=c++17 -O0 -c b.cpp -o b.o && "
                       "c++ -std=c++17 -O0 -c -DEXTERN b.cpp -o b_extern.o && c++ a.o b.o -o ab && ./ab && "
                       "c++ a.o b_extern.o -o ab2 && ./ab2") == 0);  // b_extern.o uses a.o's explicit copy
    std::string ina = run("nm -C a.o | grep 'Box<int>::twice'"), inb = run("nm -C b.o | grep 'Box<int>::twice'"),
                inx = run("nm -C b_extern.o | grep 'Box<int>::twice'");
    std::printf("a.o:        %sb.o:        %sb_extern.o: %s", ina.c_str(), inb.c_str(), inx.c_str());
    int linked = count("nm -C ab | grep 'Box<int>::twice'");
    std::printf("linked a.o + b.o: %d copy of Box<int>::twice\n", linked);
    assert(ina.find(" W ") != std::string::npos && inb.find(" W ") != std::string::npos);
    assert(inx.find(" U ") != std::string::npos && linked == 1);
    return 0;
}
