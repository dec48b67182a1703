# caption: 用 protoc 生成的 C++ 代码收发 IM 包：setter 组包、序列化再解析、旧版 schema 保留未知字段、JSON 对比，并与手写编码器（pb_wire.c）逐字节核对
# point: protobuf通信协议设计
# timeout: 90
"""Generate C++ from an IM .proto with the real protoc, build a small program against libprotobuf, and check that
the generated code and a hand-written encoder (a Python port of pb_wire.c) put the same bytes on the wire."""
import os
import subprocess

IM_PROTO = r"""syntax = "proto3";
package IM;

message LoginReq {              // SID_LOGIN 0x0001 / CID_LOGIN_REQ_USERLOGIN 0x0103
  string user_name = 1;
  string password = 2;          // md5 hex
  uint32 online_status = 3;
  uint32 client_type = 4;
  string client_version = 5;
  uint32 login_time = 6;
}
message LoginRsp {              // CID_LOGIN_RES_USERLOGIN 0x0104
  uint32 server_time = 1;
  uint32 result_code = 2;
  string result_string = 3;
  uint32 user_id = 4;
}
enum MsgType {
  MSG_TYPE_NONE = 0;            // proto3: the first enum value must be 0
  MSG_TYPE_SINGLE_TEXT = 1;
  MSG_TYPE_GROUP_TEXT = 17;
}
message MsgData {               // SID_MSG 0x0003 / CID_MSG_DATA 0x0301
  uint32 from_user_id = 1;
  uint32 to_session_id = 2;
  uint32 msg_id = 3;            // assigned by the server
  uint32 create_time = 4;
  MsgType msg_type = 5;
  bytes msg_data = 6;
  bytes attach_data = 20;       // added in v2: unknown to older servers
}
message MsgListRsp {            // CID_MSG_LIST_RESPONSE 0x030a
  uint32 session_id = 1;
  repeated MsgData msg_list = 2;
  repeated uint32 unread_ids = 3;   // scalar repeated fields are packed by default in proto3
}
"""

# the schema an older msg_server was built with: no attach_data; enum and uint32 share the varint wire format
IM_V1_PROTO = r"""syntax = "proto3";
package IM.v1;
message MsgData {
  uint32 from_user_id = 1;
  uint32 to_session_id = 2;
  uint32 msg_id = 3;
  uint32 create_time = 4;
  uint32 msg_type = 5;
  bytes msg_data = 6;
}
"""

MAIN_CPP = r"""
#include "im.pb.h"
#include "im_v1.pb.h"
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "CHECK failed line %d: %s\n", __LINE__, #c); abort(); } } while (0)
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

// 16-byte header as in pb_wire.c: length(4) version(2) flag(2) service_id(2) command_id(2) seq(2) reserved(2), big-endian
static std::string frame(uint16_t sid, uint16_t cid, uint16_t seq, const Message &m) {
    std::string body;
    CHECK(m.SerializeToString(&body));
    uint32_t len = htonl(uint32_t(16 + body.size()));
    uint16_t f[6] = {htons(1), 0, htons(sid), htons(cid), htons(seq), 0};
    std::string pkt(16, '\0');
    memcpy(&pkt[0], &len, 4);
    memcpy(&pkt[4], f, 12);
    return pkt + body;
}
// cut one packet off the front of a stream; false if not complete yet
static bool unframe(std::string &stream, uint16_t *cid, uint16_t *seq, std::string *body) {
    if (stream.size() < 16) return false;
    uint32_t len;
    uint16_t c, s;
    memcpy(&len, stream.data(), 4);
    memcpy(&c, stream.data() + 10, 2);
    memcpy(&s, stream.data() + 12, 2);
    len = ntohl(len);
    CHECK(len >= 16 && len <= (1u << 20));           // a forged length must not make us allocate gigabytes
    if (stream.size() < len) return false;
    *cid = ntohs(c);
    *seq = ntohs(s);
    *body = stream.substr(16, len - 16);
    stream.erase(0, len);
    return true;
}
static std::string slurp(const char *path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
static void spit(const char *path, const std::string &s) { std::ofstream(path, std::ios::binary) << s; }
static std::string json(const Message &m) {
    std::string out;
    google::protobuf::util::JsonPrintOptions opt;
    opt.preserve_proto_field_names = true;            // user_name, not userName
    CHECK(google::protobuf::util::MessageToJsonString(m, &out, opt).ok());
    return out;
}

int main() {
    GOOGLE_PROTOBUF_VERIFY_VERSION;
    IM::LoginReq req;                                 // the same values as pb_wire.c
    req.set_user_name("alice");
    req.set_password("5f4dcc3b5aa765d61d8327deb882cf99");
    req.set_online_status(1);
    req.set_client_type(0x11);
    req.set_client_version("linux-1.0");
    req.set_login_time(1700000000);
    std::string login = frame(0x0001, 0x0103, 7, req);
    spit("login.gen", login);
    std::string js = json(req);
    spit("login.json", js);
    printf("LoginReq: body %zu bytes (ByteSizeLong %zu), packet %zu bytes, JSON %zu bytes\n", login.size() - 16,
           req.ByteSizeLong(), login.size(), js.size());
    IM::LoginReq from_json;
    CHECK(google::protobuf::util::JsonStringToMessage(js, &from_json).ok());
    CHECK(MessageDifferencer::Equals(req, from_json));

    IM::MsgData msg;                                  // a new (v2) client sends a text message
    msg.set_from_user_id(10001);
    msg.set_to_session_id(10002);
    msg.set_create_time(1700000000);
    msg.set_msg_type(IM::MSG_TYPE_SINGLE_TEXT);
    msg.set_msg_data("hello, \xe4\xb8\x96\xe7\x95\x8c");
    msg.set_attach_data("trace=42");
    std::string data = frame(0x0003, 0x0301, 8, msg);
    spit("msg.gen", data);
    printf("MsgData: body %zu bytes, packet %zu bytes, JSON %zu bytes (bytes fields become base64)\n",
           data.size() - 16, data.size(), json(msg).size());

    IM::LoginRsp rsp;
    rsp.set_server_time(1700000001);
    rsp.set_result_string("ok");                      // result_code 0 is the default: not sent at all
    rsp.set_user_id(10001);

    IM::MsgListRsp list;
    list.set_session_id(10002);
    for (uint32_t i = 1; i <= 3; i++) {
        IM::MsgData *m = list.add_msg_list();
        *m = msg;
        m->set_msg_id(i);
        m->clear_attach_data();
    }
    for (uint32_t id : {1u, 2u, 300u}) list.add_unread_ids(id);
    std::string lbody;
    CHECK(list.SerializeToString(&lbody));
    CHECK(lbody.size() >= 6 && lbody.compare(lbody.size() - 6, 6, "\x1a\x04\x01\x02\xac\x02", 6) == 0);
    printf("MsgListRsp: 3 messages, body %zu bytes; packed unread_ids {1,2,300} = 1a 04 01 02 ac 02\n", lbody.size());

    // one TCP byte stream: our packets plus the hand-encoded ones, cut apart by the length field, dispatched by cid
    std::string stream = login + frame(0x0001, 0x0104, 7, rsp) + data + frame(0x0003, 0x030a, 9, list) +
                         slurp("login.hand") + slurp("msg.hand");
    uint16_t cid, seq;
    std::string body;
    int n = 0;
    while (unframe(stream, &cid, &seq, &body)) {
        n++;
        if (cid == 0x0103) {
            IM::LoginReq r;
            CHECK(r.ParseFromString(body) && MessageDifferencer::Equals(r, req));
        } else if (cid == 0x0104) {
            IM::LoginRsp r;
            CHECK(r.ParseFromString(body) && MessageDifferencer::Equals(r, rsp) && r.result_code() == 0 && seq == 7);
        } else if (cid == 0x0301) {
            IM::MsgData r;
            CHECK(r.ParseFromString(body) && MessageDifferencer::Equals(r, msg));
        } else if (cid == 0x030a) {
            IM::MsgListRsp r;
            CHECK(r.ParseFromString(body) && MessageDifferencer::Equals(r, list) && r.msg_list(2).msg_id() == 3);
        } else {
            CHECK(!"unknown command id");
        }
    }
    CHECK(n == 6 && stream.empty());
    printf("stream of %d packets cut by length, parsed by cid, all equal to what was sent\n", n);

    // an old msg_server (schema v1, no attach_data) assigns msg_id and forwards the message
    std::string dbody = data.substr(16);
    IM::v1::MsgData old;
    CHECK(old.ParseFromString(dbody));
    const auto &unknown = old.GetReflection()->GetUnknownFields(old);
    CHECK(unknown.field_count() == 1 && unknown.field(0).number() == 20);
    printf("v1 server: msg_type=%u, 1 unknown field (#%d, %zu bytes) kept\n", old.msg_type(), unknown.field(0).number(),
           unknown.field(0).length_delimited().size());
    old.set_msg_id(4242);
    IM::MsgData got;
    CHECK(got.ParseFromString(old.SerializeAsString()));
    CHECK(got.msg_id() == 4242 && got.attach_data() == "trace=42" && got.msg_data() == msg.msg_data());
    printf("v2 receiver after binary relay: msg_id=%u attach_data=%s\n", got.msg_id(), got.attach_data().c_str());
    // the same relay through JSON loses it: the JSON printer only knows the fields of its own schema
    IM::v1::MsgData old2;
    CHECK(google::protobuf::util::JsonStringToMessage(json(old), &old2).ok());
    IM::MsgData got2;
    CHECK(got2.ParseFromString(old2.SerializeAsString()));
    CHECK(got2.msg_id() == 4242 && got2.attach_data().empty());
    printf("v2 receiver after JSON relay:   msg_id=%u attach_data=(lost)\n", got2.msg_id());
    google::protobuf::ShutdownProtobufLibrary();
    return 0;
}
"""


# --- a Python port of pb_wire.c's hand-written encoder (put_varint / put_uint / put_str / frame) ---
def put_varint(out, v):
    while True:
        c = v & 0x7F
        v >>= 7
        out.append(c | (0x80 if v else 0))
        if not v:
            return


def put_uint(out, field, v):                  # wire type 0; proto3 leaves zero out
    if v:
        put_varint(out, field << 3 | 0)
        put_varint(out, v)


def put_str(out, field, s):                   # wire type 2: tag, length, bytes
    put_varint(out, field << 3 | 2)
    put_varint(out, len(s))
    out += s


def frame(sid, cid, seq, body):
    return (16 + len(body)).to_bytes(4, "big") + b"".join(
        x.to_bytes(2, "big") for x in (1, 0, sid, cid, seq, 0)) + bytes(body)


def hand_login():
    b = bytearray()
    put_str(b, 1, b"alice")
    put_str(b, 2, b"5f4dcc3b5aa765d61d8327deb882cf99")
    put_uint(b, 3, 1)
    put_uint(b, 4, 0x11)
    put_str(b, 5, b"linux-1.0")
    put_uint(b, 6, 1700000000)
    return frame(0x0001, 0x0103, 7, b)


def hand_msg():
    b = bytearray()
    put_uint(b, 1, 10001)
    put_uint(b, 2, 10002)
    put_uint(b, 3, 0)                          # msg_id not assigned yet: nothing on the wire
    put_uint(b, 4, 1700000000)
    put_uint(b, 5, 1)
    put_str(b, 6, "hello, 世界".encode())
    put_str(b, 20, b"trace=42")                # field 20 > 15: a two-byte tag a2 01
    return frame(0x0003, 0x0301, 8, b)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=80, **kw)


def main():
    for name, text in (("im.proto", IM_PROTO), ("im_v1.proto", IM_V1_PROTO), ("main.cpp", MAIN_CPP)):
        with open(name, "w") as f:
            f.write(text)
    with open("login.hand", "wb") as f:
        f.write(hand_login())
    with open("msg.hand", "wb") as f:
        f.write(hand_msg())

    print(run(["protoc", "--version"]).stdout.strip(), "| protoc --cpp_out=. im.proto im_v1.proto")
    run(["protoc", "--cpp_out=.", "im.proto", "im_v1.proto"])
    assert os.path.exists("im.pb.cc") and os.path.exists("im.pb.h")
    with open("im.pb.h") as f:
        header = f.read()
    setters = [s for s in ("set_user_name", "set_msg_data", "add_msg_list", "add_unread_ids") if s in header]
    assert len(setters) == 4
    lines = sum(1 for name in ("im.pb.h", "im.pb.cc") for _ in open(name))
    print(f"generated im.pb.h + im.pb.cc: {lines} lines for 4 messages (e.g. {', '.join(setters)})")

    flags = run(["pkg-config", "--cflags", "--libs", "protobuf"]).stdout.split()
    cxx = ["c++", "-std=c++17", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread"]
    jobs = [subprocess.Popen(cxx + ["-c", src, "-o", src + ".o"], stderr=subprocess.PIPE, text=True)
            for src in ("im.pb.cc", "im_v1.pb.cc", "main.cpp")]        # compile the three units in parallel
    for job in jobs:
        _, err = job.communicate(timeout=80)
        assert job.returncode == 0, err
    run(cxx + ["im.pb.cc.o", "im_v1.pb.cc.o", "main.cpp.o", "-o", "im_demo"] + flags)
    print("built: c++ -std=c++17 -O1 -Wall -Wextra -Werror im.pb.cc im_v1.pb.cc main.cpp $(pkg-config --libs protobuf)")

    out = run(["./im_demo"]).stdout
    print(out, end="")

    with open("login.gen", "rb") as f:
        gen_login = f.read()
    with open("msg.gen", "rb") as f:
        gen_msg = f.read()
    assert gen_login == hand_login(), (gen_login.hex(), hand_login().hex())
    assert gen_msg == hand_msg(), (gen_msg.hex(), hand_msg().hex())
    print(f"generated == hand-written (pb_wire.c encoder): LoginReq {len(gen_login)} bytes, MsgData {len(gen_msg)} bytes")
    print("LoginReq packet:")
    for i in range(0, len(gen_login), 26):
        print("  " + gen_login[i:i + 26].hex(" "))
    print("MsgData body:", gen_msg[16:].hex(" "))
    assert gen_msg[16:].find(bytes.fromhex("a201087472616365")) > 0      # tag a2 01, length 8, "trace..."

    with open("login.json") as f:
        js = f.read()
    expected = ('{"user_name":"alice","password":"5f4dcc3b5aa765d61d8327deb882cf99","online_status":1,'
                '"client_type":17,"client_version":"linux-1.0","login_time":1700000000}')
    assert js == expected, js                       # util::MessageToJsonString gives pb_wire.c's JSON exactly
    body = len(gen_login) - 16
    assert len(js) > 2 * body
    print(f"MessageToJsonString = pb_wire.c's JSON literal: {len(js)} bytes vs protobuf {body} bytes "
          f"({len(js) / body:.1f}x)")


if __name__ == "__main__":
    main()
