# caption: 用 openssl 命令生成自签名证书并读回字段，AES-256-CBC 加解密、摘要与签名对拍，再用该证书在回环地址上完成一次 TLS 握手
# point: https证书操作与原理分析
# timeout: 30
import hashlib
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading


def run(*args, data=None):
    r = subprocess.run(["openssl", *args], input=data, capture_output=True)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


if shutil.which("openssl") is None:
    print("openssl binary not found: skipping (install the openssl package)")
    raise SystemExit(0)

print(run("version").decode().strip())

# 1. key + self-signed certificate with a subjectAltName
run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
    "-out", "cert.pem", "-days", "1", "-subj", "/CN=atlas.test",
    "-addext", "subjectAltName=DNS:atlas.test")
text = run("x509", "-in", "cert.pem", "-noout", "-text").decode()
subject = re.search(r"Subject: (.*)", text).group(1).strip()
issuer = re.search(r"Issuer: (.*)", text).group(1).strip()
bits = re.search(r"Public-Key: \((\d+) bit\)", text).group(1)
sigalg = re.search(r"Signature Algorithm: (\S+)", text).group(1)
san = re.search(r"Subject Alternative Name:.*\n\s*(.*)", text).group(1).strip()
print("Subject: %s | Issuer: %s" % (subject, issuer))
print("Public-Key: %s bit | Signature Algorithm: %s | SAN: %s" % (bits, sigalg, san))
assert subject == issuer == "CN = atlas.test"          # self-signed
assert bits == "2048" and sigalg == "sha256WithRSAEncryption"
assert san == "DNS:atlas.test"
# the certificate verifies against itself as a trust anchor
assert b"cert.pem: OK" in run("verify", "-CAfile", "cert.pem", "cert.pem")
print("openssl verify -CAfile cert.pem cert.pem -> OK")

# 2. symmetric encryption round trip and a digest cross-check
secret = b"order=42;amount=100.00\n" * 10
with open("plain.txt", "wb") as f:
    f.write(secret)
run("enc", "-aes-256-cbc", "-pbkdf2", "-salt", "-pass", "pass:atlas",
    "-in", "plain.txt", "-out", "plain.enc")
enc = open("plain.enc", "rb").read()
assert enc[:8] == b"Salted__" and secret not in enc
dec = run("enc", "-d", "-aes-256-cbc", "-pbkdf2", "-pass", "pass:atlas",
          "-in", "plain.enc")
assert dec == secret
print("aes-256-cbc: %d plaintext bytes -> %d ciphertext bytes (8 magic + 8 salt"
      " + padded blocks), decrypts back" % (len(secret), len(enc)))
assert len(enc) == 16 + (len(secret) // 16 + 1) * 16
dgst = run("dgst", "-sha256", "plain.txt").decode()
assert dgst.strip().endswith(hashlib.sha256(secret).hexdigest())
print("openssl dgst -sha256 == hashlib.sha256")

# 3. sign with the private key, verify with the public key from the cert
run("x509", "-in", "cert.pem", "-pubkey", "-noout", "-out", "pub.pem")
run("dgst", "-sha256", "-sign", "key.pem", "-out", "plain.sig", "plain.txt")
out = run("dgst", "-sha256", "-verify", "pub.pem", "-signature", "plain.sig",
          "plain.txt")
assert out.strip() == b"Verified OK"
print("RSA signature (%d bytes) -> %s" % (os.path.getsize("plain.sig"),
                                         out.decode().strip()))

# 4. a TLS handshake on loopback using this certificate
srv_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
srv_ctx.load_cert_chain("cert.pem", "key.pem")
lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(4)
lsock.settimeout(10)
port = lsock.getsockname()[1]


def serve(n):
    for _ in range(n):
        conn, _ = lsock.accept()
        try:
            with srv_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"hello over " + tls.version().encode())
        except (ssl.SSLError, OSError):
            pass                                  # the untrusting client hangs up


t = threading.Thread(target=serve, args=(2,))
t.start()
cli_ctx = ssl.create_default_context(cafile="cert.pem")  # trust our CA only
with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
    with cli_ctx.wrap_socket(raw, server_hostname="atlas.test") as tls:
        msg = tls.recv(100)
        print("client verified atlas.test, cipher %s, got %r"
              % (tls.cipher()[0], msg.decode()))
        assert msg.startswith(b"hello over TLSv1.")

bad_ctx = ssl.create_default_context()           # system roots only
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        bad_ctx.wrap_socket(raw, server_hostname="atlas.test")
    raise AssertionError("untrusted certificate accepted")
except ssl.SSLCertVerificationError as e:
    print("client without our CA: %s" % e.verify_message)
t.join()
lsock.close()
