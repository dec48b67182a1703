// caption: googletest 单元测试：手写的 varint/包头切包代码对照 libprotobuf 的 CodedOutputStream 和运行时构建的 DynamicMessage，外加半包、粘包、超长包、截断 varint 等边界
// point: 单元测试案例
// timeout: 30
// libs: gtest protobuf
#include <arpa/inet.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

// ---- code under test: what the msg_server uses to encode fields and cut packets ----
static void put_varint(std::string &o, uint64_t v) {
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        o.push_back(static_cast<char>(c | (v ? 0x80 : 0)));
    } while (v);
}
static std::optional<uint64_t> get_varint(const std::string &s, size_t &i) {
    uint64_t v = 0;
    for (int shift = 0; i < s.size() && shift < 64; shift += 7) {
        uint8_t c = static_cast<uint8_t>(s[i++]);
        v |= static_cast<uint64_t>(c & 0x7f) << shift;
        if (!(c & 0x80)) return v;
    }
    return std::nullopt;  // truncated or longer than 10 bytes
}
static void put_str(std::string &o, int field, const std::string &s) {
    put_varint(o, static_cast<uint64_t>(field) << 3 | 2);
    put_varint(o, s.size());
    o += s;
}
static void put_uint(std::string &o, int field, uint64_t v) {
    if (!v) return;
    put_varint(o, static_cast<uint64_t>(field) << 3);
    put_varint(o, v);
}

struct Framer {  // accumulates stream bytes, yields whole packets (4-byte big-endian total length first)
    static constexpr uint32_t kMax = 1 << 20;
    std::string buf;
    bool broken = false;
    std::vector<std::string> feed(const std::string &bytes) {
        std::vector<std::string> out;
        buf += bytes;
        while (!broken && buf.size() >= 16) {
            uint32_t len;
            std::memcpy(&len, buf.data(), 4);
            len = ntohl(len);
            if (len < 16 || len > kMax) { broken = true; break; }  // caller must close the connection
            if (buf.size() < len) break;
            out.push_back(buf.substr(0, len));
            buf.erase(0, len);
        }
        return out;
    }
};
static std::string packet(uint16_t cid, const std::string &body) {
    std::string p(16, '\0');
    uint32_t len = htonl(static_cast<uint32_t>(16 + body.size()));
    uint16_t c = htons(cid);
    std::memcpy(&p[0], &len, 4);
    std::memcpy(&p[10], &c, 2);
    return p + body;
}

// ---- tests ----
TEST(Varint, MatchesLibprotobuf) {
    for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 16383ull, 16384ull, 1700000000ull, ~0ull}) {
        std::string mine, theirs;
        put_varint(mine, v);
        {
            google::protobuf::io::StringOutputStream zs(&theirs);
            google::protobuf::io::CodedOutputStream cos(&zs);
            cos.WriteVarint64(v);
        }
        EXPECT_EQ(mine, theirs) << "value " << v;
        size_t i = 0;
        EXPECT_EQ(get_varint(mine, i), v);
        EXPECT_EQ(i, mine.size());
    }
}

TEST(Varint, RejectsTruncatedAndOverlong) {
    size_t i = 0;
    EXPECT_FALSE(get_varint(std::string("\x80\x80", 2), i).has_value());
    i = 0;
    EXPECT_FALSE(get_varint(std::string(11, '\xff'), i).has_value());
}

TEST(Framer, HandlesSplitAndCoalescedPackets) {
    std::string stream = packet(0x0103, "alice") + packet(0x0301, std::string(3000, 'x')) + packet(0x0701, "");
    for (size_t chunk : {1u, 3u, 7u, 16u, 4096u}) {  // half packets and several packets per read
        Framer f;
        std::vector<std::string> got;
        for (size_t off = 0; off < stream.size(); off += chunk)
            for (auto &p : f.feed(stream.substr(off, chunk))) got.push_back(p);
        ASSERT_EQ(got.size(), 3u) << "chunk " << chunk;
        EXPECT_EQ(got[0].substr(16), "alice");
        EXPECT_EQ(got[1].size(), 3016u);
        EXPECT_EQ(got[2].size(), 16u);
        EXPECT_TRUE(f.buf.empty());
    }
}

TEST(Framer, RefusesAbsurdLength) {
    Framer f;
    std::string evil(16, '\0');
    uint32_t len = htonl(0x7fffffff);
    std::memcpy(&evil[0], &len, 4);
    EXPECT_TRUE(f.feed(evil).empty());
    EXPECT_TRUE(f.broken);
}

class LoginReqTest : public ::testing::Test {  // the schema built at run time, no generated code
protected:
    void SetUp() override {
        using FD = google::protobuf::FieldDescriptorProto;
        google::protobuf::FileDescriptorProto fdp;  // = package im; message LoginReq {...} in proto3
        fdp.set_name("im.proto");
        fdp.set_package("im");
        fdp.set_syntax("proto3");
        auto *msg = fdp.add_message_type();
        msg->set_name("LoginReq");
        struct { const char *name; int number; FD::Type type; } fields[] = {
            {"user_name", 1, FD::TYPE_STRING}, {"password", 2, FD::TYPE_STRING},
            {"online_status", 3, FD::TYPE_UINT32}, {"client_type", 4, FD::TYPE_UINT32},
            {"client_version", 5, FD::TYPE_STRING}};
        for (auto &f : fields) {
            auto *fd = msg->add_field();
            fd->set_name(f.name);
            fd->set_number(f.number);
            fd->set_type(f.type);
            fd->set_label(FD::LABEL_OPTIONAL);
        }
        ASSERT_NE(pool.BuildFile(fdp), nullptr);
        desc = pool.FindMessageTypeByName("im.LoginReq");
        ASSERT_NE(desc, nullptr);
    }
    google::protobuf::DescriptorPool pool;
    google::protobuf::DynamicMessageFactory factory;
    const google::protobuf::Descriptor *desc = nullptr;
};

TEST_F(LoginReqTest, HandEncodingEqualsLibprotobuf) {
    std::unique_ptr<google::protobuf::Message> m(factory.GetPrototype(desc)->New());
    auto *r = m->GetReflection();
    r->SetString(m.get(), desc->FindFieldByName("user_name"), "alice");
    r->SetString(m.get(), desc->FindFieldByName("password"), "5f4dcc3b");
    r->SetUInt32(m.get(), desc->FindFieldByName("online_status"), 1);
    r->SetUInt32(m.get(), desc->FindFieldByName("client_type"), 0x11);
    std::string mine;
    put_str(mine, 1, "alice");
    put_str(mine, 2, "5f4dcc3b");
    put_uint(mine, 3, 1);
    put_uint(mine, 4, 0x11);
    put_uint(mine, 5, 0);  // proto3 default: not written by either side
    EXPECT_EQ(mine, m->SerializeAsString());
}

TEST_F(LoginReqTest, UnknownFieldSurvivesOldReader) {
    std::string wire;
    put_str(wire, 1, "alice");
    put_str(wire, 15, "added-by-a-newer-client");
    std::unique_ptr<google::protobuf::Message> m(factory.GetPrototype(desc)->New());
    ASSERT_TRUE(m->ParseFromString(wire));
    EXPECT_EQ(m->GetReflection()->GetString(*m, desc->FindFieldByName("user_name")), "alice");
    EXPECT_EQ(m->GetReflection()->GetUnknownFields(*m).field_count(), 1);
    EXPECT_EQ(m->SerializeAsString(), wire);  // forwarded unchanged
}

int main(int argc, char **argv) {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
