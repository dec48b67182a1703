// caption: 可变参数模板写一个类型安全的日志格式化：参数包用折叠表达式逐个填进 {}，任何有 operator<< 的类型都能打印；宏里用 static_assert 在编译期核对 {} 个数与参数个数，再用 -DBAD 把自己编译一遍（多了一个 {}），看编译器拒绝它
// point: 可变参数模板
// timeout: 60
#undef NDEBUG
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>

constexpr size_t placeholders(std::string_view f) {
    size_t n = 0;
    for (size_t i = 0; i + 1 < f.size(); i++)
        if (f[i] == '{' && f[i + 1] == '}') n++, i++;
    return n;
}

template <class... Args> std::string format(std::string_view f, const Args &...args) {
    std::ostringstream out;
    size_t pos = 0;
    auto one = [&](const auto &arg) {            // copy text up to the next {}, then the argument
        size_t at = f.find("{}", pos);
        out << f.substr(pos, at - pos) << arg;
        pos = at + 2;
    };
    (one(args), ...);                            // fold expression: one call per argument, left to right
    out << f.substr(pos);
    return out.str();
}

// The count check happens at compile time: decltype does not evaluate the arguments.
#define LOG(fmt, ...)                                                                                  \
    ([&] {                                                                                             \
        static_assert(placeholders(fmt) == std::tuple_size_v<decltype(std::make_tuple(__VA_ARGS__))>, \
                      "LOG: number of {} differs from number of arguments");                           \
        return format(fmt, __VA_ARGS__);                                                               \
    }())

struct Endpoint { std::string host; int port; };
std::ostream &operator<<(std::ostream &o, const Endpoint &e) { return o << e.host << ':' << e.port; }

#ifdef BAD  // compiled only by the check at the end of main: one {} too many
void bad() { int port = 80; LOG("{} {}", port); }
#endif

template <class... Args> constexpr size_t count_args(const Args &...) { return sizeof...(Args); }

int main() {
    Endpoint peer{"127.0.0.1", 6379};
    std::string user = "alice";
    std::string line = LOG("user={} peer={} latency={}ms retries={}", user, peer, 1.5, 3);
    std::printf("%s\n", line.c_str());
    assert(line == "user=alice peer=127.0.0.1:6379 latency=1.5ms retries=3");
    static_assert(placeholders("a {} b {}") == 2 && count_args(1, "x", 2.0) == 3);

    FILE *p = popen("c++ -std=c++17 -DBAD -c " __FILE__ " -o bad.o 2>&1", "r");
    assert(p);
    char buf[512];
    std::string errors;
    while (std::fgets(buf, sizeof buf, p)) errors += buf;
    int rc = pclose(p);
    size_t at = errors.find("error:");
    assert(rc != 0 && at != std::string::npos && errors.find("LOG: number of {} differs") != std::string::npos);
    std::printf("-DBAD, LOG(\"{} {}\", port): compile %s\n  %s", rc ? "failed" : "passed",
                errors.substr(at, errors.find('\n', at) - at + 1).c_str());
    return 0;
}
