// caption: 迭代器失效：vector 未扩容时在中间 insert，插入点之前的地址仍指向原元素、之后的全部错位；边遍历边删除用 it = erase(it)；再把“扩容后继续用旧迭代器”编译成 libstdc++ 调试模式（-D_GLIBCXX_DEBUG）的一份，它在解引用之前就报错中止
// point: 迭代器失效规则
// timeout: 60
#undef NDEBUG
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <sys/wait.h>
#include <unordered_map>
#include <vector>

#ifdef STALE  // the child: use an iterator after push_back reallocated; debug mode checks before dereferencing
int main() {
    std::vector<int> v{1, 2, 3};
    auto it = v.begin();
    v.push_back(4);                                   // capacity 3 -> 6: every iterator is now invalid
    return *it;
}
#else
int main() {
    std::vector<int> v;
    v.reserve(8);
    for (int i = 0; i < 6; i++) v.push_back(i * 10);  // 0 10 20 30 40 50, capacity 8
    uintptr_t before[6];
    for (int i = 0; i < 6; i++) before[i] = reinterpret_cast<uintptr_t>(&v[i]);
    v.insert(v.begin() + 3, 25);                      // fits: no reallocation, elements 3.. shift right
    int same = 0, shifted = 0;
    for (int i = 0; i < 6; i++) {
        assert(before[i] == reinterpret_cast<uintptr_t>(&v[i]));  // same slot address...
        (v[i] == i * 10 ? same : shifted)++;                       // ...but does it still hold the old element?
    }
    std::printf("vector insert at 3 without reallocation: slots 0-2 keep their element (%d), slots 3-5 now hold "
                "another one (%d)\n", same, shifted);
    assert(same == 3 && shifted == 3);

    std::vector<int> w{1, 2, 3, 4, 5, 6, 7, 8};
    for (auto it = w.begin(); it != w.end();) it = (*it % 2 == 0) ? w.erase(it) : it + 1;  // erase returns next
    std::map<int, int> m{{1, 1}, {2, 2}, {3, 3}, {4, 4}};
    const int *three = &m.at(3);
    for (auto it = m.begin(); it != m.end();) it = (it->first % 2 == 0) ? m.erase(it) : std::next(it);
    assert(w.size() == 4 && m.size() == 2 && &m.at(3) == three);   // map: only erased nodes are invalidated
    std::unordered_map<int, int> u{{1, 1}, {3, 3}};
    const int *one = &u.at(1);
    u.reserve(1000);                                  // rehash: iterators invalid, references are not
    assert(&u.at(1) == one);
    std::printf("erase-in-loop: vector %zu left, map %zu left; map/unordered_map references survived\n", w.size(),
                m.size());

    assert(std::system("c++ -std=c++17 -O0 -D_GLIBCXX_DEBUG -DSTALE " __FILE__ " -o stale") == 0);
    FILE *p = popen("./stale 2>&1", "r");
    assert(p);
    char line[400];
    std::string out;
    while (std::fgets(line, sizeof line, p)) out += line;
    int st = pclose(p);
    size_t at = out.find("Error:");
    std::printf("debug-mode child: %s; it printed: %s", WIFSIGNALED(st) || WEXITSTATUS(st) > 128 ? "aborted" : "?",
                at == std::string::npos ? "(nothing)\n" : out.substr(at, out.find('\n', at) - at + 1).c_str());
    assert(out.find("singular iterator") != std::string::npos);
    return 0;
}
#endif
